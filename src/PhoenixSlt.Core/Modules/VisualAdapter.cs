using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Turns fused visual features into mBART encoder inputs (inputs_embeds): fc (D_fusion → d_model of mBART) →
/// LayerNorm → GELU → dropout; padded frames are set to 0 (mBART masks them as keys anyway).
/// GFSLT-VLP (Zhou et al., ICCV 2023) uses Linear → BatchNorm1d → ReLU here; LayerNorm replaces the batch norm so
/// that padded frames and the batch composition never change a real frame, GELU matches mBART's activation.
/// The mBART encoder adds its learned positions and applies layernorm_embedding on top.
public sealed class VisualAdapter : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly AmpLinear fc;
    private readonly AmpLayerNorm layer_norm;
    private readonly GELU activation;
    private readonly Dropout dropout;

    public VisualAdapter(int inputDim, int outputDim, double dropoutRate, double layerNormEps = 1e-5) : base(nameof(VisualAdapter))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputDim);
        fc = new AmpLinear(inputDim, outputDim);
        layer_norm = new AmpLayerNorm(outputDim, layerNormEps);
        activation = nn.GELU();
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: (B, T, D_fusion), mask: (B, T) true/non-zero on real frames -> (B, T, d_model)
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        Tensor h = dropout.forward(activation.forward(layer_norm.forward(fc.forward(x))));   // (B, T, D) -> (B, T, d_model)
        h = h.masked_fill(mask.eq(0).unsqueeze(-1), 0.0);                                    // (B, T) -> (B, T, 1)
        return h.MoveToOuterDisposeScope();
    }
}
