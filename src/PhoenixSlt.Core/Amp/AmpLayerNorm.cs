using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Amp;

/// Layer normalisation over the last dimension that always computes in float32 inside an <see cref="Autocast"/>
/// region (a low-precision input is cast up, the output is float32, as torch.autocast does for layer_norm); outside
/// it computes exactly what TorchSharp's LayerNorm computes. Same parameters, names (weight = 1, bias = 0, shape (D))
/// and eps as nn.LayerNorm.
public sealed class AmpLayerNorm : AmpModule
{
    [ComponentName(Name = nameof(weight))]
    private Parameter _weight;

    [ComponentName(Name = nameof(bias))]
    private Parameter _bias;

    private readonly long[] _normalizedShape;

    public AmpLayerNorm(long dim, double eps = 1e-5, Device? device = null, ScalarType? dtype = null)
        : base(nameof(AmpLayerNorm))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eps);
        _normalizedShape = [dim];
        Eps = eps;
        _weight = (Parameter)nn.Parameter(ones(_normalizedShape, dtype, device)).DetachFromDisposeScope();
        _bias = (Parameter)nn.Parameter(zeros(_normalizedShape, dtype, device)).DetachFromDisposeScope();
        RegisterComponents();
    }

    public double Eps { get; }

    public long Dim => _normalizedShape[0];

#pragma warning disable IDE1006 // PyTorch member names; Module.to() swaps parameters through these setters
    /// (D), initialised to 1.
    public Parameter weight
    {
        get => _weight;
        private set => _weight = Swap(nameof(weight), _weight, value)!;
    }

    /// (D), initialised to 0.
    public Parameter bias
    {
        get => _bias;
        private set => _bias = Swap(nameof(bias), _bias, value)!;
    }
#pragma warning restore IDE1006

    // x: (*, D) -> (*, D); float32 inside autocast
    public override Tensor forward(Tensor x)
    {
        if (!Autocast.IsActive)
            return F.layer_norm(x, _normalizedShape, _weight, _bias, Eps);
        using var scope = NewDisposeScope();
        return F.layer_norm(Autocast.ToFloat32(x), _normalizedShape, Autocast.ToFloat32(_weight), Autocast.ToFloat32(_bias), Eps)
            .MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weight.Dispose();
            _bias.Dispose();
        }
        base.Dispose(disposing);
    }
}
