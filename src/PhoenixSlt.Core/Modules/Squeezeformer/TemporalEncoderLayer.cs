using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// A pre-LN Transformer encoder layer for the SigLIP stream:
/// x = x + dropout(MHSA(LN(x))); x = x + dropout(fc2(dropout(GELU(fc1(LN(x)))))).
/// Pre-LN keeps a shallow stack stable without warm-up; field names follow transformers' encoder layers.
/// Attention Is All You Need (Vaswani et al., NeurIPS 2017), §3.1; pre-LN placement as in Xiong et al., ICML 2020.
public sealed class TemporalEncoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly AmpLayerNorm self_attn_layer_norm;
    private readonly MultiHeadSelfAttention self_attn;
    private readonly AmpLayerNorm final_layer_norm;
    private readonly AmpLinear fc1;
    private readonly AmpLinear fc2;
    private readonly Dropout activation_dropout;
    private readonly Dropout dropout;

    public TemporalEncoderLayer(int dModel, int numHeads, int ffnDim, double dropoutRate, double attentionDropout, double layerNormEps)
        : base(nameof(TemporalEncoderLayer))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ffnDim);
        self_attn_layer_norm = new AmpLayerNorm(dModel, layerNormEps);
        self_attn = new MultiHeadSelfAttention(dModel, numHeads, attentionDropout);
        final_layer_norm = new AmpLayerNorm(dModel, layerNormEps);
        fc1 = new AmpLinear(dModel, ffnDim);
        fc2 = new AmpLinear(ffnDim, dModel);
        activation_dropout = nn.Dropout(dropoutRate);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: (B, T', D), mask: (B, T') bool, true on real frames -> (B, T', D)
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor attended = self_attn.forward(self_attn_layer_norm.forward(x), mask);     // (B, T', D)
        Tensor h = x + dropout.forward(attended);                                         // (B, T', D)
        Tensor hidden = nn.functional.gelu(fc1.forward(final_layer_norm.forward(h)));    // (B, T', F)
        Tensor y = h + dropout.forward(fc2.forward(activation_dropout.forward(hidden)));  // (B, T', D)
        return y.MoveToOuterDisposeScope();
    }
}
