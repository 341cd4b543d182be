using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Phases;

[Collection(SerialTrainingCollection.Name)]
public sealed class OverfitTests
{
    [Fact]
    public void Slt_SixteenSamples_ReachesExactTranslations()
    {
        using var temp = new TempFolder();
        string data = TrainingTestData.Synthetic(temp.Combine("data"), train: 16, dev: 1);
        var sink = new RecordingProgressSink();
        var options = new TrainRunOptions
        {
            Phase = TrainingPhase.Slt,
            DataDir = data,
            OutDir = temp.Combine("out"),
            ValidationSplit = "train",
            MaxSteps = int.Parse(Environment.GetEnvironmentVariable("OVERFIT_STEPS") ?? "300"),
            BatchSize = 16,
            Beams = 1,
            LrEncoder = double.Parse(Environment.GetEnvironmentVariable("OVERFIT_LR") ?? "3e-3"),
            Dropout = 0.0,
            LabelSmoothing = 0.0,
            EvalEverySteps = 25,
            LogEvery = 25,
            WarmupSteps = 10,
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var session = TrainingSession.Create(options);
        var result = session.Run(sink: new CompositeProgressSink(sink, new ConsoleProgressSink(Console.Out, false)));
        Console.WriteLine($"elapsed {watch.Elapsed}");
    }
}
