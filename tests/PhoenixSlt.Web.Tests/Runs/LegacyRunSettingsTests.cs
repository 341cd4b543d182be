using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

/// Runs stored before the run spec kept camelCase RunRequest JSON; their settings must still be shown and resumed.
public class LegacyRunSettingsTests
{
    private const string OldRequestJson =
        """{"phase":"slt","dataset":"d","batchSize":4,"lrEncoder":0.001,"initCheckpoint":"/x","mBartFolder":"/m","epochs":null,"maxSteps":30}""";

    [Fact]
    public void ToSpecJson_OldCamelCaseRequest_ReadsAsASpecWithItsValues()
    {
        var (spec, problems) = RunSpecJson.Read(LegacyRunSettings.ToSpecJson(OldRequestJson));

        Assert.True(problems.IsValid, string.Join("; ", problems.Messages));
        Assert.Equal(TrainingPhaseNames.Slt, spec.Phase);
        Assert.Equal(4, spec.BatchSize);
        Assert.Equal(0.001, spec.LrEncoder);
        Assert.Equal("/x", spec.Init);
        Assert.Equal("/m", spec.Mbart);
        Assert.Null(spec.Epochs);
        Assert.Equal(30, spec.MaxSteps);
        // the dataset name is the run row's; a spec's data is a folder
        Assert.Null(spec.Data);
        // what the old JSON did not hold keeps the spec's defaults
        Assert.Equal(new RunSpec().Beams, spec.Beams);
    }

    [Fact]
    public void ToSpecJson_SpecJson_PassesThroughUnchanged()
    {
        string json = RunSpecJson.Write(new RunSpec { Data = "/data/d", BatchSize = 3 });

        Assert.Equal(json, LegacyRunSettings.ToSpecJson(json));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void ToSpecJson_NothingUsable_IsAnEmptySpec(string? json)
    {
        var (spec, _) = RunSpecJson.Read(LegacyRunSettings.ToSpecJson(json));

        Assert.Equal(new RunSpec(), spec);
    }

    [Fact]
    public void ConfigOf_OldRun_HasItsSettingsItsDatasetAndItsOutFolder()
    {
        var run = new RunEntity
        {
            Name = "old", Phase = "slt", Stage = "slt", Status = PhoenixSlt.Web.Services.Jobs.JobStatus.Failed, Dataset = "d", CreatedAt = DateTime.UtcNow,
            OutputFolder = "/runs/3", ConfigJson = OldRequestJson,
        };

        RunSpec spec = RunStore.ConfigOf(run);

        Assert.Equal((4, 0.001, "/x", "/m", (int?)null, (long?)30), (spec.BatchSize, spec.LrEncoder, spec.Init, spec.Mbart, spec.Epochs, spec.MaxSteps));
        Assert.Equal("d", spec.Data);
        Assert.Equal(Path.Combine("/runs/3", "slt"), spec.Out);
    }
}
