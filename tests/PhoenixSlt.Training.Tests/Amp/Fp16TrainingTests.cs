using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.Squeezeformer;
using PhoenixSlt.Training.Amp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Amp;

/// float16 mixed precision end to end on CPU (libtorch 2.10 runs float16 matmuls and convolutions on CPU, slowly):
/// autocast forward, scaled backward, unscale + clipping, scaler step and update.
[Collection(SerialTrainingCollection.Name)]
public sealed class Fp16TrainingTests(ITestOutputHelper output)
{
    /// Two clips of the tiny fusion encoder's input widths and two label rows "tokens &lt;/s&gt; lang" (pad = 1).
    private static SltInputs TinyBatch()
    {
        var config = SqueezeformerConfig.Tiny;
        var generator = new Generator(21);
        var keypoints = randn([2, 10, config.KeypointDim], generator: generator);
        var siglip = randn([2, 6, config.SiglipDim], generator: generator);
        var keypointMask = arange(10).unsqueeze(0).lt(tensor(new long[] { 10, 7 }).unsqueeze(1));
        var siglipMask = arange(6).unsqueeze(0).lt(tensor(new long[] { 6, 4 }).unsqueeze(1));
        var labels = tensor(new long[,] { { 40, 41, 42, 43, 2, 1000 }, { 50, 51, 2, 1000, 1, 1 } });
        return new SltInputs(new VisualInputs(keypoints, keypointMask, siglip, siglipMask), labels);
    }

    /// Trains <paramref name="steps"/> AdamW steps in float16; returns the losses and steps that ran.
    private static (List<float> Losses, int StepsTaken) Train(SignTranslationModel model, GradScaler scaler, int steps)
    {
        model.train();
        var parameters = model.ParameterGroups().SelectMany(g => g.Parameters).ToList();
        using var optimizer = optim.AdamW(parameters, lr: 3e-3, weight_decay: 0.01);
        using var batchScope = NewDisposeScope();
        var inputs = TinyBatch();
        var losses = new List<float>();
        int stepsTaken = 0;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss;
            using (AmpMode.Fp16.Autocast())
                loss = model.call(inputs).Loss!;
            scaler.Scale(loss).backward();
            scaler.Unscale(optimizer);
            nn.utils.clip_grad_norm_(parameters, 1.0);
            if (scaler.Step(optimizer))
                stepsTaken++;
            scaler.Update();
            losses.Add(loss.item<float>());
        }
        return (losses, stepsTaken);
    }

    private static SignTranslationModel TinyModel()
    {
        manual_seed(5);
        return new SignTranslationModel(SltModelConfig.Tiny with
        {
            FusionEncoder = SqueezeformerConfig.Tiny with { Dropout = 0, AttentionDropout = 0 },
            AdapterDropout = 0,
        });
    }

    [Fact]
    public void SignTranslationModel_Fp16WithGradScaler_LossDecreasesAndWeightsStayFloat32()
    {
        using var model = TinyModel();
        var scaler = AmpMode.Fp16.CreateGradScaler();

        var (losses, stepsTaken) = Train(model, scaler, 10);

        output.WriteLine($"losses: {string.Join(", ", losses.Select(l => l.ToString("F4")))}; steps taken {stepsTaken}, skipped {scaler.SkippedSteps}, final scale {scaler.CurrentScale}");
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses[^1] < losses[0] * 0.8, $"loss went from {losses[0]} to {losses[^1]} only");
        Assert.True(stepsTaken >= 5, $"only {stepsTaken} of 10 steps ran");
        Assert.Equal(10, stepsTaken + scaler.SkippedSteps);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void SignTranslationModel_Fp16ScaleTooLarge_OverflowingStepsSkippedUntilTheScaleFitsThenLearns()
    {
        // 2^30 × gradients of order 0.01–1 exceeds float16's maximum 65504 in the backward pass: those steps overflow,
        // are skipped and halve the scale until the scaled gradients fit
        using var model = TinyModel();
        var initial = model.parameters().Select(p => p.detach().clone()).ToList();
        var scaler = AmpMode.Fp16.CreateGradScaler(new GradScalerOptions { InitScale = Math.Pow(2, 30) });

        var (losses, stepsTaken) = Train(model, scaler, 24);

        output.WriteLine($"losses: {string.Join(", ", losses.Select(l => l.ToString("F4")))}; steps taken {stepsTaken}, skipped {scaler.SkippedSteps}, final scale 2^{Math.Log2(scaler.CurrentScale)}");
        Assert.True(scaler.SkippedSteps >= 1, "no step overflowed at scale 2^30");
        // skipped steps leave the model untouched: the same loss until the first step that ran
        int unchanged = losses.TakeWhile(l => l == losses[0]).Count();
        Assert.Equal(scaler.SkippedSteps + 1, unchanged);
        Assert.True(scaler.CurrentScale < Math.Pow(2, 30));
        Assert.Equal(24, stepsTaken + scaler.SkippedSteps);
        Assert.True(stepsTaken >= 5, $"only {stepsTaken} of 24 steps ran");
        Assert.True(losses[^1] < losses[0] * 0.8, $"loss went from {losses[0]} to {losses[^1]} only");
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        Assert.Contains(model.parameters().Zip(initial), pair => !pair.First.equal(pair.Second).all().item<bool>());
    }
}
