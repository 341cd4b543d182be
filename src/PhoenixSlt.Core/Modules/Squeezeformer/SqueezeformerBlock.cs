using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// One Squeezeformer block: the MF/CF structure MHSA → FFN → Conv → FFN, each module a residual branch followed by a
/// post-LayerNorm (x = LN(x + module(x))), each module starting with its learned scaled input. Padded frames of the
/// output are set to 0.
/// Squeezeformer (Kim et al., NeurIPS 2022), §3 (Transformer-style block, simplified layer normalisation).
public sealed class SqueezeformerBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MhsaModule mhsa;
    private readonly AmpLayerNorm mhsa_layer_norm;
    private readonly FeedForwardModule ffn1;
    private readonly AmpLayerNorm ffn1_layer_norm;
    private readonly ConvModule conv;
    private readonly AmpLayerNorm conv_layer_norm;
    private readonly FeedForwardModule ffn2;
    private readonly AmpLayerNorm ffn2_layer_norm;

    public SqueezeformerBlock(SqueezeformerConfig config) : base(nameof(SqueezeformerBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int d = config.DModel;
        mhsa = new MhsaModule(d, config.NumAttentionHeads, config.AttentionDropout, config.Dropout);
        mhsa_layer_norm = new AmpLayerNorm(d, config.LayerNormEps);
        ffn1 = new FeedForwardModule(d, config.FfnDim, config.Dropout);
        ffn1_layer_norm = new AmpLayerNorm(d, config.LayerNormEps);
        conv = new ConvModule(d, config.ConvExpansionFactor, config.ConvKernelSize, config.Dropout, config.BatchNormEps, config.BatchNormMomentum);
        conv_layer_norm = new AmpLayerNorm(d, config.LayerNormEps);
        ffn2 = new FeedForwardModule(d, config.FfnDim, config.Dropout);
        ffn2_layer_norm = new AmpLayerNorm(d, config.LayerNormEps);
        RegisterComponents();
    }

    public ConvModule Conv => conv;

    // x: (B, T, D), mask: (B, T) bool, true on real frames -> (B, T, D), 0 on padded frames
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = mhsa_layer_norm.forward(x + mhsa.forward(x, mask));         // (B, T, D)
        h = ffn1_layer_norm.forward(h + ffn1.forward(h));                       // (B, T, D)
        h = conv_layer_norm.forward(h + conv.forward(h, mask));                 // (B, T, D)
        h = ffn2_layer_norm.forward(h + ffn2.forward(h));                       // (B, T, D)
        Tensor y = h.masked_fill(mask.logical_not().unsqueeze(-1), 0.0);        // (B, T) -> (B, T, 1)
        return y.MoveToOuterDisposeScope();
    }
}
