using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Projects one input stream to the model width: Linear(in, D) → LayerNorm → dropout. The LayerNorm puts the
/// keypoint and SigLIP streams on the same scale before they are fused.
public sealed class FeatureProjection : nn.Module<Tensor, Tensor>
{
    private readonly AmpLinear linear;
    private readonly AmpLayerNorm layer_norm;
    private readonly Dropout dropout;

    public FeatureProjection(int inputDim, int dModel, double dropoutRate, double layerNormEps) : base(nameof(FeatureProjection))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        linear = new AmpLinear(inputDim, dModel);
        layer_norm = new AmpLayerNorm(dModel, layerNormEps);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: (B, T, in) -> (B, T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = dropout.forward(layer_norm.forward(linear.forward(x)));
        return y.MoveToOuterDisposeScope();
    }
}
