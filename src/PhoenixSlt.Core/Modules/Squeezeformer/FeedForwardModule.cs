using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// The feed-forward module of a Squeezeformer block (its residual branch): scaled input → Linear(D, ffn) → Swish →
/// dropout → Linear(ffn, D) → dropout. The residual is added at full weight by the block (the official configs use
/// fc_factor 1, not Conformer's half-step).
/// Squeezeformer (Kim et al., NeurIPS 2022), §3 (block structure and scaled input).
public sealed class FeedForwardModule : nn.Module<Tensor, Tensor>
{
    private readonly ScaledInput scaled_input;
    private readonly AmpLinear fc1;
    private readonly AmpLinear fc2;
    private readonly Dropout activation_dropout;
    private readonly Dropout dropout;

    public FeedForwardModule(int dModel, int ffnDim, double dropoutRate) : base(nameof(FeedForwardModule))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ffnDim);
        scaled_input = new ScaledInput(dModel);
        fc1 = new AmpLinear(dModel, ffnDim);
        fc2 = new AmpLinear(ffnDim, dModel);
        activation_dropout = nn.Dropout(dropoutRate);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: (B, T, D) -> (B, T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = fc1.forward(scaled_input.forward(x));                  // (B, T, F)
        h = activation_dropout.forward(nn.functional.silu(h));             // (B, T, F)
        Tensor y = dropout.forward(fc2.forward(h));                        // (B, T, D)
        return y.MoveToOuterDisposeScope();
    }
}
