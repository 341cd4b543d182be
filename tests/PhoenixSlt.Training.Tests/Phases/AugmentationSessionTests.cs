using System.Text.Json;
using PhoenixSlt.Core.Data.Augmentation;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Training.Tests.Phases;

/// The run spec's augmentation settings reach the visual tasks' loaders and the described config.
[Collection(SerialTrainingCollection.Name)]
public sealed class AugmentationSessionTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    private RunSpec Spec(TrainingPhase phase, string outDir) => new()
    {
        Phase = phase.ToName(),
        Data = dataset.DataDir,
        Out = outDir,
        MaxSteps = 2,
        BatchSize = 4,
        Beams = 1,
    };

    [Fact]
    public void Create_AugmentOn_TheVisualTaskAugmentsWithTheSpecsStrengthsAndTheConfigSaysSo()
    {
        using var temp = new TempFolder();
        var spec = Spec(TrainingPhase.Vlp, temp.Path) with { Augment = true, AugRotation = 0, AugHandDrop = 0.5, Seed = 9 };

        using var session = TrainingSession.Create(spec);

        var augmentation = ((VlpTask)session.Task).Augmentation;
        Assert.NotNull(augmentation);
        Assert.Equal(9, augmentation.Seed);
        Assert.Equal(new AugmentationOptions { RotationDegrees = 0, Scale = 0.1, Shift = 0.1, Speed = 0.2, FrameDrop = 0.1, HandDrop = 0.5 }, augmentation.Options);
        var described = session.Task.DescribeConfig().GetProperty("augmentation");
        Assert.Equal(0, described.GetProperty("rotation_degrees").GetDouble());
        Assert.Equal(0.5, described.GetProperty("hand_drop").GetDouble());
    }

    [Fact]
    public void Create_DefaultSpec_NoAugmentation()
    {
        using var temp = new TempFolder();

        using var session = TrainingSession.Create(Spec(TrainingPhase.Slt, temp.Path));

        Assert.Null(((SltTask)session.Task).Augmentation);
        Assert.Equal("off", session.Task.DescribeConfig().GetProperty("augmentation").GetString());
    }

    [Fact]
    public void Run_SltWithAugmentation_TrainsAndValidates()
    {
        using var temp = new TempFolder();

        using var session = TrainingSession.Create(Spec(TrainingPhase.Slt, temp.Path) with { Augment = true, AugHandDrop = 0.5, AugSpeed = 0.5 });
        var result = session.Run();

        Assert.Equal(2, result.Steps);
        Assert.NotNull(result.BestCheckpoint);
    }
}
