using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// The learned per-channel scale and bias at the input of every Squeezeformer module: y = x · scale + bias,
/// initialised to the identity (scale 1, bias 0). With post-LN blocks it replaces the pre-LN of Conformer.
/// Squeezeformer (Kim et al., NeurIPS 2022), §3 ("scaled input"; official code: adaptive_scale).
public sealed class ScaledInput : nn.Module<Tensor, Tensor>
{
    private readonly Parameter scale;
    private readonly Parameter bias;

    public ScaledInput(int dModel) : base(nameof(ScaledInput))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        scale = nn.Parameter(torch.ones(dModel));
        bias = nn.Parameter(torch.zeros(dModel));
        RegisterComponents();
    }

    // x: (B, T, D) -> (B, T, D); scale and bias broadcast over (B, T)
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = x * scale + bias;
        return y.MoveToOuterDisposeScope();
    }
}
