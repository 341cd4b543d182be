using PhoenixSlt.Training.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Amp;

/// Dynamic loss scaling as torch.amp.GradScaler does it. Gradients are set by hand (a scaled gradient is the true one
/// times the scale), so every expectation is exact arithmetic on powers of two.
[Collection(SerialTrainingCollection.Name)]
public sealed class GradScalerTests
{
    private static Sequential TinyModel(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(("fc1", nn.Linear(4, 3)), ("fc2", nn.Linear(3, 2)));
    }

    private static optim.Optimizer AdamW(nn.Module model)
        => optim.AdamW(model.parameters(), lr: 0.1, weight_decay: 0.01);

    /// True gradients: fixed values from a seeded generator, one tensor per parameter.
    private static Tensor[] TrueGradients(nn.Module model, ulong seed)
    {
        var generator = new Generator(seed);
        return model.parameters().Select(p => randn(p.shape, generator: generator)).ToArray();
    }

    private static void SetGradients(nn.Module model, IReadOnlyList<Tensor> gradients, double factor)
    {
        var parameters = model.parameters().ToList();
        for (int i = 0; i < parameters.Count; i++)
            parameters[i].grad = (gradients[i] * factor).detach();
    }

    private static Tensor[] Snapshot(nn.Module model) => model.parameters().Select(p => p.detach().clone()).ToArray();

    private static void AssertParameters(IReadOnlyList<Tensor> expected, nn.Module model, string what)
    {
        var actual = model.parameters().ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
            Assert.True(expected[i].eq(actual[i]).all().item<bool>(), $"{what}: parameter {i} differs");
    }

    [Fact]
    public void Constructor_Defaults_TorchGradScalerSettings()
    {
        var scaler = new GradScaler();

        Assert.True(scaler.IsEnabled);
        Assert.Equal(65536.0, scaler.CurrentScale); // 2^16
        Assert.Equal(2.0, scaler.Options.GrowthFactor);
        Assert.Equal(0.5, scaler.Options.BackoffFactor);
        Assert.Equal(2000, scaler.Options.GrowthInterval);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void Scale_Loss_MultipliedByTheScaleExactly()
    {
        using var scope = NewDisposeScope();
        var loss = tensor(1.2345678f);

        var scaled = new GradScaler().Scale(loss);

        Assert.Equal(1.2345678f * 65536f, scaled.item<float>());
    }

    [Fact]
    public void Unscale_ScaledGradients_DividedExactlyByThePowerOfTwoScale()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(1);
        var gradients = TrueGradients(model, 11);
        var scaler = new GradScaler();
        SetGradients(model, gradients, scaler.CurrentScale);
        using var optimizer = AdamW(model);

        bool finite = scaler.Unscale(optimizer);

        Assert.True(finite);
        Assert.Equal(0, scaler.LastNonFiniteCount);
        var parameters = model.parameters().ToList();
        for (int i = 0; i < parameters.Count; i++)
            Assert.True(parameters[i].grad!.eq(gradients[i]).all().item<bool>(), $"gradient {i} is not exactly the true gradient");
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void Step_InjectedNonFiniteGradient_SkippedParametersUnchangedScaleHalved(float injected)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(2);
        using var optimizer = AdamW(model);
        var scaler = new GradScaler();
        var before = Snapshot(model);
        SetGradients(model, TrueGradients(model, 12), scaler.CurrentScale);
        using (no_grad())
            model.parameters().Last().grad![0].fill_(injected);

        bool stepped = scaler.Step(optimizer);
        scaler.Update();

        Assert.False(stepped);
        Assert.Equal(1, scaler.LastNonFiniteCount);
        Assert.Equal(1, scaler.SkippedSteps);
        AssertParameters(before, model, "after a skipped step");
        Assert.Equal(32768.0, scaler.CurrentScale);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void Step_AfterASkippedStep_OptimizerStateAsIfTheSkippedStepNeverHappened()
    {
        // AdamW's moments and step count decide its update; if the skipped step had touched them, the next clean step
        // of the scaled model would differ from the clean first step of a twin that never saw the bad step
        using var scope = NewDisposeScope();
        using var model = TinyModel(3);
        using var twin = TinyModel(3);
        using var optimizer = AdamW(model);
        using var twinOptimizer = AdamW(twin);
        var scaler = new GradScaler();
        var clean = TrueGradients(model, 13);

        SetGradients(model, clean, scaler.CurrentScale);
        using (no_grad())
            model.parameters().First().grad![0, 0].fill_(float.PositiveInfinity);
        Assert.False(scaler.Step(optimizer));
        scaler.Update();
        SetGradients(model, clean, scaler.CurrentScale); // the halved scale
        Assert.True(scaler.Step(optimizer));
        scaler.Update();
        SetGradients(twin, clean, 1.0);
        twinOptimizer.step();

        AssertParameters(Snapshot(twin), model, "after skip + clean step vs one clean step");
        Assert.Equal(1, scaler.GrowthTracker);
    }

    [Fact]
    public void Update_GrowthIntervalCleanSteps_ScaleDoublesAndTrackerResets()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(4);
        using var optimizer = AdamW(model);
        var scaler = new GradScaler(new GradScalerOptions { InitScale = 8, GrowthInterval = 3 });
        var gradients = TrueGradients(model, 14);
        var scales = new List<double>();
        var trackers = new List<int>();

        for (int step = 0; step < 7; step++)
        {
            SetGradients(model, gradients, scaler.CurrentScale);
            Assert.True(scaler.Step(optimizer));
            scaler.Update();
            scales.Add(scaler.CurrentScale);
            trackers.Add(scaler.GrowthTracker);
        }

        Assert.Equal(new[] { 8.0, 8, 16, 16, 16, 32, 32 }, scales);
        Assert.Equal(new[] { 1, 2, 0, 1, 2, 0, 1 }, trackers);
    }

    [Fact]
    public void Update_InfAfterCleanSteps_TrackerResetsSoGrowthNeedsAFullIntervalAgain()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(5);
        using var optimizer = AdamW(model);
        var scaler = new GradScaler(new GradScalerOptions { InitScale = 64, GrowthInterval = 3 });
        var gradients = TrueGradients(model, 15);

        void RunStep(bool inject)
        {
            SetGradients(model, gradients, scaler.CurrentScale);
            if (inject)
                using (no_grad())
                    model.parameters().First().grad![0, 0].fill_(float.NaN);
            scaler.Step(optimizer);
            scaler.Update();
        }

        RunStep(false);
        RunStep(false);
        RunStep(true); // would have been the third clean step
        Assert.Equal(32.0, scaler.CurrentScale);
        Assert.Equal(0, scaler.GrowthTracker);
        RunStep(false);
        RunStep(false);
        Assert.Equal(32.0, scaler.CurrentScale);
        RunStep(false);
        Assert.Equal(64.0, scaler.CurrentScale);
    }

    [Fact]
    public void Update_GrowthBeyondFloat32Range_ScaleKept()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(6);
        using var optimizer = AdamW(model);
        double largest = Math.Pow(2, 127); // the largest power of two in float32
        var scaler = new GradScaler(new GradScalerOptions { InitScale = largest, GrowthInterval = 1 });
        foreach (var p in model.parameters())
            p.grad = zeros_like(p);

        scaler.Step(optimizer);
        scaler.Update();

        Assert.Equal(largest, scaler.CurrentScale);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void Unscale_Twice_ThrowsAndSaysWhatToDo()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(7);
        using var optimizer = AdamW(model);
        var scaler = new GradScaler();
        SetGradients(model, TrueGradients(model, 16), scaler.CurrentScale);
        scaler.Unscale(optimizer);

        var e = Assert.Throws<InvalidOperationException>(() => scaler.Unscale(optimizer));
        Assert.Contains("at most once", e.Message);
    }

    [Fact]
    public void Update_WithoutStep_ThrowsAndSaysWhatToDo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new GradScaler().Update());
        Assert.Contains("call Step", e.Message);
    }

    [Fact]
    public void Unscale_ThenStep_StepUsesTheUnscaledGradientsWithoutDividingAgain()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(8);
        using var twin = TinyModel(8);
        using var optimizer = optim.SGD(model.parameters(), 0.5);
        using var twinOptimizer = optim.SGD(twin.parameters(), 0.5);
        var scaler = new GradScaler();
        var gradients = TrueGradients(model, 17);
        SetGradients(model, gradients, scaler.CurrentScale);
        SetGradients(twin, gradients, 1.0);

        scaler.Unscale(optimizer);
        Assert.True(scaler.Step(optimizer));
        twinOptimizer.step();

        AssertParameters(Snapshot(twin), model, "SGD step after Unscale + Step");
    }

    [Fact]
    public void Disabled_PassesEverythingThrough()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(9);
        using var optimizer = optim.SGD(model.parameters(), 0.5);
        var scaler = AmpMode.Bf16.CreateGradScaler();
        var loss = tensor(3.5f);
        var before = Snapshot(model);
        foreach (var p in model.parameters())
            p.grad = full_like(p, float.PositiveInfinity);

        Assert.Equal(3.5f, scaler.Scale(loss).item<float>());
        Assert.True(scaler.Step(optimizer)); // no inf check without loss scaling
        scaler.Update();

        Assert.Equal(1.0, scaler.CurrentScale);
        Assert.False(model.parameters().First().eq(before[0]).all().item<bool>());
    }

    [Fact]
    public void State_RoundTrip_ResumedScalerContinuesIdentically()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(10);
        using var optimizer = AdamW(model);
        var options = new GradScalerOptions { InitScale = 1024, GrowthInterval = 4 };
        var scaler = new GradScaler(options);
        var gradients = TrueGradients(model, 18);
        for (int step = 0; step < 3; step++)
        {
            SetGradients(model, gradients, scaler.CurrentScale);
            scaler.Step(optimizer);
            scaler.Update();
        }

        var state = scaler.State;
        var resumed = new GradScaler(state);

        Assert.Equal(new GradScalerState(1024, 3, options), state);
        Assert.Equal(1024.0, resumed.CurrentScale);
        Assert.Equal(3, resumed.GrowthTracker);
        SetGradients(model, gradients, resumed.CurrentScale);
        resumed.Step(optimizer);
        resumed.Update();
        Assert.Equal(2048.0, resumed.CurrentScale); // the fourth clean step grows the scale
    }

    [Fact]
    public void LoadState_TrackerOutsideTheInterval_ErrorNamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => new GradScaler(new GradScalerState(8, 5, new GradScalerOptions { GrowthInterval = 5 })));

        Assert.Contains("growth tracker = 5", e.Message);
    }

    [Theory]
    [InlineData(0.0, 2.0, 0.5, 10, "init_scale")]
    [InlineData(1.0, 1.0, 0.5, 10, "growth_factor")]
    [InlineData(1.0, 2.0, 1.0, 10, "backoff_factor")]
    [InlineData(1.0, 2.0, 0.5, 0, "growth_interval")]
    public void Options_InvalidValue_ErrorNamesTheField(double init, double growth, double backoff, int interval, string field)
    {
        var options = new GradScalerOptions { InitScale = init, GrowthFactor = growth, BackoffFactor = backoff, GrowthInterval = interval };

        var e = Assert.Throws<ArgumentException>(() => new GradScaler(options));

        Assert.Contains(field, e.Message);
    }
}
