using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Amp;

/// Dynamic loss scaling for float16 mixed precision, the algorithm of torch.amp.GradScaler: the loss is multiplied by
/// a scale S before backward so that small gradients survive float16; before the optimizer step the gradients are
/// divided by S (exact for the power-of-two scales the defaults produce) and checked for inf/NaN. A step with a
/// non-finite gradient is skipped (parameters and optimizer state untouched) and S is multiplied by the backoff
/// factor; after <see cref="GradScalerOptions.GrowthInterval"/> consecutive clean steps S is multiplied by the growth
/// factor (unless that would overflow float32).
/// <para>One optimizer step:</para>
/// <code>
/// using (mode.Autocast()) loss = model.call(batch).Loss;   // per micro-batch
/// scaler.Scale(loss).backward();                           // gradients accumulate scaled
/// scaler.Unscale(optimizer);                               // optional: before clipping gradients
/// scaler.Step(optimizer);                                  // false when skipped
/// scaler.Update();
/// </code>
/// <para>With data parallelism, all-reduce the gradients before <see cref="Unscale(optim.Optimizer)"/>: an inf/NaN on
/// any rank then reaches every rank, so all ranks skip the same steps and keep the same scale.</para>
/// <para>A disabled scaler (bf16 or float32 runs) passes everything through: <see cref="Scale"/> returns the loss,
/// <see cref="Step"/> always steps, <see cref="Update"/> does nothing.</para>
public sealed class GradScaler
{
    private Phase _phase = Phase.Ready;
    private bool _foundInf;

    public GradScaler(GradScalerOptions? options = null, bool enabled = true)
    {
        Options = (options ?? GradScalerOptions.Default).Validate();
        IsEnabled = enabled;
        CurrentScale = Options.InitScale;
    }

    /// A scaler resuming from a checkpoint's <paramref name="state"/>.
    public GradScaler(GradScalerState state, bool enabled = true)
        : this(state?.Options, enabled)
    {
        LoadState(state!);
    }

    private enum Phase
    {
        Ready,
        Unscaled,
        Stepped,
    }

    public bool IsEnabled { get; }

    public GradScalerOptions Options { get; private set; }

    /// The scale of the next (or current) step; 1 when disabled.
    public double CurrentScale
    {
        get => IsEnabled ? field : 1.0;
        private set;
    }

    /// Consecutive clean steps since the scale last changed.
    public int GrowthTracker { get; private set; }

    /// Steps skipped because of inf/NaN gradients since this scaler was created.
    public long SkippedSteps { get; private set; }

    /// Non-finite gradient entries found by the last unscale (0 when clean or disabled).
    public long LastNonFiniteCount { get; private set; }

    /// The state to store in a checkpoint.
    public GradScalerState State => new(CurrentScale, GrowthTracker, Options);

    /// Restores a checkpoint's state (scale, growth tracker, settings) between steps.
    public void LoadState(GradScalerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Options);
        var options = state.Options.Validate();
        if (!(state.Scale > 0) || !float.IsFinite((float)state.Scale))
            throw new ArgumentException($"grad scaler state: scale = {state.Scale} must be a positive number within float32 range", nameof(state));
        if (state.GrowthTracker < 0 || state.GrowthTracker >= options.GrowthInterval)
            throw new ArgumentException($"grad scaler state: growth tracker = {state.GrowthTracker} must be in [0, growth_interval = {options.GrowthInterval})", nameof(state));
        Options = options;
        CurrentScale = state.Scale;
        GrowthTracker = state.GrowthTracker;
        _phase = Phase.Ready;
    }

    /// <paramref name="loss"/> × scale (the loss itself when disabled). Call backward on the result.
    public Tensor Scale(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return IsEnabled ? loss * CurrentScale : loss;
    }

    /// Divides the gradients of the optimizer's parameters by the scale in place and checks them for inf/NaN; true
    /// when all are finite. At most once per step, before <see cref="Step"/> (e.g. to clip the true gradients).
    public bool Unscale(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Unscale(optimizer.parameters());
    }

    /// <see cref="Unscale(optim.Optimizer)"/> for an explicit parameter list (parameters without gradients are skipped).
    public bool Unscale(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!IsEnabled)
            return true;
        if (_phase == Phase.Unscaled)
            throw new InvalidOperationException("the gradients were already unscaled in this step; call Unscale at most once between Update calls");
        if (_phase == Phase.Stepped)
            throw new InvalidOperationException("Unscale was called after Step; call Update to finish the step first");
        LastNonFiniteCount = UnscaleAndCountNonFinite(parameters, 1.0 / CurrentScale);
        _foundInf = LastNonFiniteCount > 0;
        _phase = Phase.Unscaled;
        return !_foundInf;
    }

    /// Unscales the gradients if <see cref="Unscale(optim.Optimizer)"/> was not called, then runs the optimizer step
    /// unless a gradient is inf/NaN. Returns whether the step ran.
    public bool Step(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!IsEnabled)
        {
            optimizer.step();
            return true;
        }
        if (_phase == Phase.Stepped)
            throw new InvalidOperationException("Step was already called in this step; call Update before the next Step");
        if (_phase == Phase.Ready)
            Unscale(optimizer);
        _phase = Phase.Stepped;
        if (_foundInf)
        {
            SkippedSteps++;
            return false;
        }
        optimizer.step();
        return true;
    }

    /// Adjusts the scale after a step: × backoff and a reset of the growth tracker if the step found inf/NaN; × growth
    /// after <see cref="GradScalerOptions.GrowthInterval"/> consecutive clean steps (kept if that overflows float32).
    public void Update()
    {
        if (!IsEnabled)
            return;
        if (_phase == Phase.Ready)
            throw new InvalidOperationException("no inf/NaN check was recorded in this step; call Step (or Unscale) before Update");
        if (_foundInf)
        {
            CurrentScale *= Options.BackoffFactor;
            GrowthTracker = 0;
        }
        else if (GrowthTracker + 1 == Options.GrowthInterval)
        {
            double grown = CurrentScale * Options.GrowthFactor;
            if (float.IsFinite((float)grown))
                CurrentScale = grown;
            GrowthTracker = 0;
        }
        else
        {
            GrowthTracker++;
        }
        _phase = Phase.Ready;
        _foundInf = false;
    }

    // Multiplies every gradient by inverseScale in place; the non-finite entries of all gradients are counted on their
    // device and read back with a single synchronisation.
    private static long UnscaleAndCountNonFinite(IEnumerable<Parameter> parameters, double inverseScale)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor? nonFinite = null;
        foreach (var parameter in parameters)
        {
            var grad = parameter.grad;
            if (grad is null)
                continue;
            grad.mul_(inverseScale);
            var count = grad.isfinite().logical_not().sum(); // () int64
            nonFinite = nonFinite is null ? count : nonFinite.add_(count.to(nonFinite.device));
        }
        return nonFinite?.item<long>() ?? 0;
    }
}
