using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Tests.Data;
using PhoenixSlt.Core.Tests.Modules.Squeezeformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Exact resume: AdamW (and Adam) state, the CPU generator (dropout) and the trainer scalars survive a checkpoint
/// so that N steps + save + load + M steps equal N + M uninterrupted steps bit for bit. Serial: the runs seed and
/// draw from libtorch's global generator, which other tests would otherwise advance in between.
[Collection(SerialTorchCollection.Name)]
public sealed class TrainerCheckpointTests : IDisposable
{
    private const int N = 3;
    private const int M = 4;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// A small MLP with dropout (so the generator state matters), built outside any dispose scope.
    private static Sequential NewModel(long seed)
    {
        torch.manual_seed(seed);
        var model = nn.Sequential(("fc1", nn.Linear(6, 16)), ("act", nn.Tanh()), ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(16, 3)));
        model.train();
        return model;
    }

    private static OptimizerHelper NewOptimizer(Sequential model, bool adam, bool amsgrad) => adam
        ? torch.optim.Adam(model.parameters(), lr: 0.02, beta1: 0.8, beta2: 0.95, weight_decay: 0.01, amsgrad: amsgrad)
        : torch.optim.AdamW(model.parameters(), lr: 0.02, beta1: 0.8, beta2: 0.95, weight_decay: 0.05, amsgrad: amsgrad);

    /// One training step on the batch of <paramref name="step"/> (data from its own generator, so only dropout
    /// draws from the default generator).
    private static void Step(Sequential model, OptimizerHelper optimizer, int step)
    {
        using var scope = NewDisposeScope();
        using var data = new Generator((ulong)(1000 + step));
        var x = torch.randn([8, 6], generator: data);
        var y = torch.randn([8, 3], generator: data);
        optimizer.zero_grad();
        var loss = nn.functional.mse_loss(model.call(x), y);
        loss.backward();
        optimizer.step();
    }

    private static Dictionary<string, float[]> Snapshot(Sequential model)
        => model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());

    private static Dictionary<string, float[]> Uninterrupted(bool adam, bool amsgrad)
    {
        using var model = NewModel(seed: 11);
        using var optimizer = NewOptimizer(model, adam, amsgrad);
        for (int step = 0; step < N + M; step++)
            Step(model, optimizer, step);
        return Snapshot(model);
    }

    /// N steps, checkpoint through <see cref="CheckpointStore"/>, disturb the generator, rebuild model and
    /// optimizer from scratch (other seed), load, M steps.
    private Dictionary<string, float[]> Resumed(bool adam, bool amsgrad, bool restoreOptimizer = true, bool restoreRandom = true)
    {
        var store = new CheckpointStore(_dir.File("checkpoints"));
        string folder;
        using (var model = NewModel(seed: 11))
        using (var optimizer = NewOptimizer(model, adam, amsgrad))
        {
            for (int step = 0; step < N; step++)
                Step(model, optimizer, step);
            var state = new TrainerState { Step = N, Epoch = 1, BatchInEpoch = 2, Seed = 11 };
            using var trainer = TrainerCheckpoint.Capture(state, optimizer, model.named_parameters());
            var metadata = CheckpointMetadata.Create(CheckpointPhase.Slt, new { d_model = 16 });
            folder = store.Save($"resume-{Guid.NewGuid():N}", new CheckpointContent(metadata, model.state_dict()) { Trainer = trainer });
        }

        torch.rand(1000).Dispose(); // the generator moves on, as in a new process

        using var resumed = NewModel(seed: 99);
        using (var weights = CheckpointStore.OpenWeights(folder))
            foreach (var (name, parameter) in resumed.named_parameters())
                weights.ReadInto(name, parameter);
        using var resumedOptimizer = NewOptimizer(resumed, adam, amsgrad);
        using var loaded = CheckpointStore.LoadTrainerState(folder)!;
        if (restoreOptimizer)
            loaded.RestoreOptimizer(resumedOptimizer, resumed.named_parameters());
        if (restoreRandom)
            Assert.True(loaded.RestoreRandomState());
        for (long step = loaded.State.Step; step < N + M; step++)
            Step(resumed, resumedOptimizer, (int)step);
        return Snapshot(resumed);
    }

    private static void AssertBitwiseEqual(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
            Assert.True(values.SequenceEqual(actual[name]), $"{name} differs after resume");
    }

    private static bool AnyDifference(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
        => a.Any(kv => !kv.Value.SequenceEqual(b[kv.Key]));

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Resume_AfterSaveAndLoad_EqualsUninterruptedTrainingExactly(bool adam, bool amsgrad)
    {
        var expected = Uninterrupted(adam, amsgrad);

        var actual = Resumed(adam, amsgrad);

        AssertBitwiseEqual(expected, actual);
    }

    [Fact]
    public void Resume_WithoutOptimizerState_Differs()
    {
        // Control for the exact-resume test: fresh moments (step 0) change the trajectory.
        Assert.True(AnyDifference(Uninterrupted(false, false), Resumed(false, false, restoreOptimizer: false)));
    }

    [Fact]
    public void Resume_WithoutRandomState_Differs()
    {
        // Control: dropout masks after the resume depend on the restored generator.
        Assert.True(AnyDifference(Uninterrupted(false, false), Resumed(false, false, restoreRandom: false)));
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsTrainerScalarsAndOptimizerOptions()
    {
        using var model = NewModel(seed: 3);
        using var optimizer = NewOptimizer(model, adam: false, amsgrad: true);
        Step(model, optimizer, 0);
        var state = new TrainerState
        {
            Step = 42,
            Epoch = 3,
            BatchInEpoch = 17,
            Seed = 1234,
            Scaler = new GradScalerState(32768.0, 5),
            Scheduler = new SchedulerState("onecycle", 42, new Dictionary<string, double> { ["max_lr"] = 3e-4 }),
            Extra = new Dictionary<string, double> { ["patience_left"] = 2 },
        };
        string folder = _dir.File("t");
        Directory.CreateDirectory(folder);

        using (var trainer = TrainerCheckpoint.Capture(state, optimizer, model.named_parameters()))
            trainer.Save(folder);
        using var loaded = TrainerCheckpoint.Load(folder)!;

        var s = loaded.State;
        Assert.Equal((42L, 3, 17L, 1234L), (s.Step, s.Epoch, s.BatchInEpoch, s.Seed));
        Assert.Equal(new GradScalerState(32768.0, 5), s.Scaler);
        Assert.Equal("onecycle", s.Scheduler!.Name);
        Assert.Equal(3e-4, s.Scheduler.Values!["max_lr"]);
        Assert.Equal(2, s.Extra["patience_left"]);
        Assert.Equal(["torch_cpu"], s.RandomStates);
        var group = Assert.Single(s.Optimizer!.Groups);
        Assert.Equal("adamw", s.Optimizer.Kind);
        Assert.Equal((0.02, 0.8, 0.95, 0.05, true), (group.LearningRate, group.Beta1, group.Beta2, group.WeightDecay, group.AmsGrad));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], group.Parameters);
        Assert.Equal([1L, 1, 1, 1], group.Steps);
        Assert.Contains("optimizer.fc1.weight.exp_avg", loaded.Tensors.Keys);
        Assert.Contains("optimizer.fc2.bias.max_exp_avg_sq", loaded.Tensors.Keys);
        Assert.Equal([16L, 6], loaded.Tensors["optimizer.fc1.weight.exp_avg_sq"].shape);
    }

    [Fact]
    public void Load_FolderWithoutTrainerState_IsNull()
    {
        Assert.Null(TrainerCheckpoint.Load(_dir.Path));
    }

    [Fact]
    public void Load_TensorsFileMissing_NamesIt()
    {
        File.WriteAllText(_dir.File("trainer_state.json"), "{ \"step\": 1 }");

        var e = Assert.Throws<CheckpointFormatException>(() => TrainerCheckpoint.Load(_dir.Path));

        Assert.Equal(_dir.File("trainer_state.safetensors"), e.FilePath);
    }

    [Fact]
    public void Load_CorruptTrainerStateJson_NamesIt()
    {
        File.WriteAllText(_dir.File("trainer_state.json"), "{ \"step\": \"many\" }");

        var e = Assert.Throws<CheckpointFormatException>(() => TrainerCheckpoint.Load(_dir.Path));

        Assert.Equal(_dir.File("trainer_state.json"), e.FilePath);
    }

    [Fact]
    public void RestoreOptimizer_DifferentParameters_SaysSoAndNamesThem()
    {
        using var model = NewModel(seed: 3);
        using var optimizer = NewOptimizer(model, adam: false, amsgrad: false);
        using var trainer = TrainerCheckpoint.Capture(new TrainerState(), optimizer, model.named_parameters());
        using var other = nn.Sequential(("enc", nn.Linear(6, 16)), ("fc2", nn.Linear(16, 3)));
        using var otherOptimizer = torch.optim.AdamW(other.parameters(), weight_decay: 0.01);

        var e = Assert.Throws<CheckpointFormatException>(() => trainer.RestoreOptimizer(otherOptimizer, other.named_parameters()));

        Assert.Contains("fc1.weight", e.Message);
        Assert.Contains("enc.weight", e.Message);
    }

    [Fact]
    public void RestoreOptimizer_AdamStateIntoAdamW_IsRefused()
    {
        using var model = NewModel(seed: 3);
        using var adam = NewOptimizer(model, adam: true, amsgrad: false);
        using var trainer = TrainerCheckpoint.Capture(new TrainerState(), adam, model.named_parameters());
        using var adamW = NewOptimizer(model, adam: false, amsgrad: false);

        var e = Assert.Throws<CheckpointFormatException>(() => trainer.RestoreOptimizer(adamW, model.named_parameters()));

        Assert.Contains("adam", e.Message);
        Assert.Contains("adamw", e.Message);
    }

    [Fact]
    public void Capture_UnnamedParameter_IsRejected()
    {
        using var model = NewModel(seed: 3);
        using var optimizer = NewOptimizer(model, adam: false, amsgrad: false);

        Assert.Throws<ArgumentException>(() => TrainerCheckpoint.Capture(new TrainerState(), optimizer, model.named_parameters().Take(2)));
    }
}
