using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// The temporal Transformer over the projected SigLIP stream: sinusoidal positions → dropout → N pre-LN encoder
/// layers with a key padding mask → final LayerNorm. Padded frames of the output are 0. With zero layers it only adds
/// positions and normalises.
/// Attention Is All You Need (Vaswani et al., NeurIPS 2017), §3.1 and §3.5.
public sealed class TemporalTransformerEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly SinusoidalPositionalEncoding embed_positions;
    private readonly Dropout dropout;
    private readonly ModuleList<TemporalEncoderLayer> layers;
    private readonly AmpLayerNorm layer_norm;

    public TemporalTransformerEncoder(SqueezeformerConfig config) : base(nameof(TemporalTransformerEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        embed_positions = new SinusoidalPositionalEncoding(config.DModel, config.PositionEncodingBase);
        dropout = nn.Dropout(config.Dropout);
        layers = nn.ModuleList(Enumerable.Range(0, config.SiglipNumLayers)
            .Select(_ => new TemporalEncoderLayer(config.DModel, config.SiglipNumAttentionHeads, config.SiglipFfnDim,
                config.Dropout, config.AttentionDropout, config.LayerNormEps))
            .ToArray());
        layer_norm = new AmpLayerNorm(config.DModel, config.LayerNormEps);
        RegisterComponents();
    }

    // x: (B, T', D), mask: (B, T') bool, true on real frames -> (B, T', D), 0 on padded frames
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = dropout.forward(embed_positions.forward(x));                 // (B, T', D)
        foreach (TemporalEncoderLayer layer in layers)
            h = layer.forward(h, mask);                                         // (B, T', D)
        h = layer_norm.forward(h);                                              // (B, T', D)
        Tensor y = h.masked_fill(mask.logical_not().unsqueeze(-1), 0.0);        // (B, T') -> (B, T', 1)
        return y.MoveToOuterDisposeScope();
    }
}
