using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// The multi-head self-attention module of a Squeezeformer block (its residual branch): scaled input → MHSA with a
/// key padding mask → dropout. Positions are absolute (sinusoidal, added once before the blocks) instead of the
/// paper's relative encoding: sign clips are short (a few hundred frames) and this keeps attention a plain,
/// batch-first scaled dot product.
/// Squeezeformer (Kim et al., NeurIPS 2022), §3 (block structure and scaled input).
public sealed class MhsaModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ScaledInput scaled_input;
    private readonly MultiHeadSelfAttention self_attn;
    private readonly Dropout dropout;

    public MhsaModule(int dModel, int numHeads, double attentionDropout, double dropoutRate) : base(nameof(MhsaModule))
    {
        scaled_input = new ScaledInput(dModel);
        self_attn = new MultiHeadSelfAttention(dModel, numHeads, attentionDropout);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: (B, T, D), mask: (B, T) bool -> (B, T, D)
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = dropout.forward(self_attn.forward(scaled_input.forward(x), mask));
        return y.MoveToOuterDisposeScope();
    }
}
