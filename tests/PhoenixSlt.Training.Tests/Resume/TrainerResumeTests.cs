using System.Text.Json.Nodes;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Resume;

/// Exact resume: a run stopped mid-epoch and continued with <see cref="TrainerOptions.ResumeFrom"/> ends with the
/// same parameters, bit for bit, as the run that was never stopped. Bit-identical (not a tolerance) because the
/// continued run performs the same float operations in the same order on the same inputs: the weights and AdamW
/// moments are stored as exact float32 copies, the step counts and schedule position as integers, the CPU
/// generator state byte for byte (dropout draws the same masks), and the batch plan of the resumed epoch is rebuilt
/// from seed + epoch with the batches already trained skipped. The controls show that the test has power: dropping
/// the optimizer moments or the random state changes the result.
[Collection(SerialTrainingCollection.Name)]
public sealed class TrainerResumeTests
{
    private const int Seed = 17;
    private const int Epochs = 3;

    private static TrainerOptions Options(string folder, int accumulate, long saveEvery) => new()
    {
        Epochs = Epochs,                    // 4 batches per epoch
        Accumulate = accumulate,
        DefaultLearningRate = 0.05,
        WarmupSteps = 2,
        WeightDecay = 0.01,
        MaxGradNorm = 1.0,
        Seed = Seed,
        LogEvery = 1,
        SaveEverySteps = saveEvery,
        CheckpointDir = folder,
    };

    private static Dictionary<string, float[]> Uninterrupted(int accumulate, long saveEvery)
    {
        using var folder = new TempFolder("phoenix-resume");
        using var task = new DropoutRegressionTask(Seed, initSeed: 1);
        new Trainer(task, Options(folder.Path, accumulate, saveEvery)).Run();
        return task.Snapshot();
    }

    /// Trains until the step event of <paramref name="cancelAfter"/>, which cancels the run (the last/ folder then
    /// holds the last multiple of <paramref name="saveEvery"/> or validation before it).
    private static void Interrupted(string folder, int accumulate, long saveEvery, long cancelAfter)
    {
        using var task = new DropoutRegressionTask(Seed, initSeed: 1);
        using var cancellation = new CancellationTokenSource();
        var sink = new Recorder(e =>
        {
            if (e is StepEvent step && step.Step == cancelAfter)
                cancellation.Cancel();
        });
        Assert.Throws<OperationCanceledException>(() => new Trainer(task, Options(folder, accumulate, saveEvery), sink: sink).Run(cancellation.Token));
    }

    private static (Dictionary<string, float[]> Parameters, TrainingResult Result, List<ProgressEvent> Events) Resumed(
        string folder, int accumulate, long saveEvery, bool optimizerState = true)
    {
        using var task = new DropoutRegressionTask(Seed, initSeed: 99);      // other weights: the checkpoint must set them
        manual_seed(12345);                                                   // and another random state
        var sink = new Recorder(_ => { });
        var options = Options(folder, accumulate, saveEvery) with
        {
            ResumeFrom = Path.Combine(folder, CheckpointFolder.Last),
            ResumeOptimizerState = optimizerState,
        };
        var result = new Trainer(task, options, sink: sink).Run();
        return (task.Snapshot(), result, sink.Events);
    }

    /// accumulate 1: 12 steps, last/ written at step 6 = epoch 1 after 2 of its 4 batches, stopped after step 7.
    /// accumulate 2: 6 steps, last/ written at step 3 = epoch 1 after 2 of its 4 batches, stopped after step 3.
    [Theory]
    [InlineData(1, 3, 7, 6)]
    [InlineData(2, 1, 3, 3)]
    public void Run_ResumedMidEpoch_EndsWithBitIdenticalParameters(int accumulate, long saveEvery, long cancelAfter, long savedStep)
    {
        var expected = Uninterrupted(accumulate, saveEvery);
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, accumulate, saveEvery, cancelAfter);

        using (var saved = TrainerCheckpoint.Load(folder.Combine(CheckpointFolder.Last))!)
        {
            Assert.Equal(savedStep, saved.State.Step);
            Assert.Equal(1, saved.State.Epoch);
            Assert.Equal(2, saved.State.BatchInEpoch);                       // mid-epoch
        }
        var (actual, result, events) = Resumed(folder.Path, accumulate, saveEvery);

        long totalSteps = Epochs * 4 / accumulate;
        Assert.Equal(totalSteps, result.Steps);
        var steps = events.OfType<StepEvent>().Select(e => e.Step).ToList();
        Assert.Equal(Enumerable.Range((int)savedStep + 1, (int)(totalSteps - savedStep)).Select(s => (long)s), steps);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
            Assert.True(values.SequenceEqual(actual[name]), $"{name} differs from the uninterrupted run");
    }

    [Fact]
    public void Run_ResumedWithoutOptimizerState_Differs()
    {
        // Control: fresh AdamW moments (step 0, zero averages) after the resume change the trajectory.
        var expected = Uninterrupted(1, 3);
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, 1, 3, 7);
        var (actual, _, _) = Resumed(folder.Path, 1, 3, optimizerState: false);
        Assert.True(MaxDifference(expected, actual) > 1e-4, "resuming with fresh optimizer state should change the parameters");
    }

    [Fact]
    public void Run_ResumedWithoutRandomState_Differs()
    {
        // Control: a checkpoint without the generator state resumes with the seed's masks, not the saved ones.
        var expected = Uninterrupted(1, 3);
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, 1, 3, 7);
        DropRandomState(folder.Combine(CheckpointFolder.Last));
        var (actual, _, _) = Resumed(folder.Path, 1, 3);
        Assert.True(MaxDifference(expected, actual) > 1e-4, "resuming without the random state should change the dropout masks");
    }

    [Fact]
    public void Run_ResumeFromFolderWithoutTrainerState_ThrowsNamingTheFolder()
    {
        using var folder = new TempFolder("phoenix-resume");
        using var task = new DropoutRegressionTask(Seed, initSeed: 1);
        string last = folder.Combine(CheckpointFolder.Last);
        var options = Options(folder.Path, 1, 3) with { ResumeFrom = last };
        var error = Assert.Throws<TrainingConfigurationException>(() => new Trainer(task, options).Run());
        Assert.Contains(last, error.Message, StringComparison.Ordinal);
        Assert.Contains(CheckpointFolder.TrainerStateFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ResumeWithOtherModelConfiguration_Throws()
    {
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, 1, 3, 4);
        using var task = new DropoutRegressionTask(Seed, initSeed: 1, hidden: 6);
        var options = Options(folder.Path, 1, 3) with { ResumeFrom = folder.Combine(CheckpointFolder.Last) };
        var error = Assert.Throws<TrainingConfigurationException>(() => new Trainer(task, options).Run());
        Assert.Contains("model configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ResumeWithOtherSeed_Throws()
    {
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, 1, 3, 4);
        using var task = new DropoutRegressionTask(Seed + 1, initSeed: 1);
        var options = Options(folder.Path, 1, 3) with { Seed = Seed + 1, ResumeFrom = folder.Combine(CheckpointFolder.Last) };
        var error = Assert.Throws<TrainingConfigurationException>(() => new Trainer(task, options).Run());
        Assert.Contains("--seed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ResumeWithoutLastCheckpoint_ThrowsNamingOut()
    {
        using var folder = new TempFolder("phoenix-resume");
        var options = new RunSpec { Phase = TrainingPhaseNames.Slt, Data = folder.Path, Out = folder.Combine("out"), MaxSteps = 1 };
        var error = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(options, resume: true).Dispose());
        Assert.Contains("--resume", error.Message, StringComparison.Ordinal);
        Assert.Contains(folder.Combine("out"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ResumeOfAnotherPhase_ThrowsNamingBothPhases()
    {
        using var folder = new TempFolder("phoenix-resume");
        Interrupted(folder.Path, 1, 3, 4);                                   // a text-phase last/
        var options = new RunSpec { Phase = TrainingPhaseNames.Slt, Data = folder.Path, Out = folder.Path, MaxSteps = 1 };
        var error = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(options, resume: true).Dispose());
        Assert.Contains("text phase", error.Message, StringComparison.Ordinal);
        Assert.Contains("slt", error.Message, StringComparison.Ordinal);
    }

    /// Rewrites the trainer state of <paramref name="folder"/> without the generator state (an older writer's).
    private static void DropRandomState(string folder)
    {
        string tensorsPath = Path.Combine(folder, CheckpointFolder.TrainerTensorsFileName);
        var tensors = SafetensorsFile.Load(tensorsPath);
        try
        {
            SafetensorsFile.Save(tensorsPath, tensors.Where(t => !t.Key.StartsWith(TrainerCheckpoint.RandomPrefix, StringComparison.Ordinal)).ToList());
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
        string statePath = Path.Combine(folder, CheckpointFolder.TrainerStateFileName);
        var json = JsonNode.Parse(File.ReadAllText(statePath))!;
        json["rng"] = new JsonArray();
        File.WriteAllText(statePath, json.ToJsonString());
    }

    private static double MaxDifference(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
        => a.Max(kv => kv.Value.Zip(b[kv.Key], (x, y) => Math.Abs((double)x - y)).Max());

    private sealed class Recorder(Action<ProgressEvent> onEvent) : IProgressSink
    {
        public List<ProgressEvent> Events { get; } = [];

        public void Report(ProgressEvent progressEvent)
        {
            Events.Add(progressEvent);
            onEvent(progressEvent);
        }
    }
}
