using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Amp;

/// A linear layer y = x·Wᵀ + b that follows <see cref="Autocast"/>: inside an autocast region it computes in the
/// low-precision type, casting the input and its float32 master weights on the fly (gradients flow back through the
/// casts into the float32 parameters); outside it computes exactly what TorchSharp's Linear computes.
/// Same parameters, names (weight (out, in), bias (out)) and initialisation as nn.Linear (the values of a freshly
/// built nn.Linear, so the random stream is consumed identically); state dicts are unchanged.
public sealed class AmpLinear : AmpModule
{
    [ComponentName(Name = nameof(weight))]
    private Parameter _weight;

    [ComponentName(Name = nameof(bias))]
    private Parameter? _bias;

    public AmpLinear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null, ScalarType? dtype = null)
        : base(nameof(AmpLinear))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        using (var initialised = nn.Linear(inFeatures, outFeatures, hasBias, device, dtype))
        {
            _weight = CopyOf(initialised.weight);
            _bias = initialised.bias is null ? null : CopyOf(initialised.bias);
        }
        RegisterComponents();
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

#pragma warning disable IDE1006 // PyTorch member names; Module.to() swaps parameters through these setters
    /// (out, in): the master weights.
    public Parameter weight
    {
        get => _weight;
        private set => _weight = Swap(nameof(weight), _weight, value)!;
    }

    /// (out), or null without bias.
    public Parameter? bias
    {
        get => _bias;
        private set => _bias = Swap(nameof(bias), _bias, value);
    }
#pragma warning restore IDE1006

    // x: (*, in) -> (*, out); in the low-precision type inside autocast
    public override Tensor forward(Tensor x)
    {
        if (!Autocast.IsActive)
            return F.linear(x, _weight, _bias);
        using var scope = NewDisposeScope();
        return F.linear(Autocast.ForMatmul(x), Autocast.ForMatmul(_weight), Autocast.ForMatmulOptional(_bias))
            .MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weight.Dispose();
            _bias?.Dispose();
        }
        base.Dispose(disposing);
    }
}
