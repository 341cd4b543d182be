using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Maps pooled features into the shared embedding space of visual-language pretraining:
/// fc1 (in → hidden) → GELU → dropout → fc2 (hidden → out). The output is not normalised; the caller L2-normalises.
/// The two-layer projection of SimCLR (Chen et al., ICML 2020, §2.1) with GELU; GFSLT-VLP (Zhou et al., ICCV 2023)
/// projects both modalities before its CLIP-style loss.
public sealed class ProjectionHead : nn.Module<Tensor, Tensor>
{
    private readonly AmpLinear fc1;
    private readonly GELU activation;
    private readonly Dropout dropout;
    private readonly AmpLinear fc2;

    public ProjectionHead(int inputDim, int hiddenDim, int outputDim, double dropoutRate) : base(nameof(ProjectionHead))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputDim);
        fc1 = new AmpLinear(inputDim, hiddenDim);
        activation = nn.GELU();
        dropout = nn.Dropout(dropoutRate);
        fc2 = new AmpLinear(hiddenDim, outputDim);
        RegisterComponents();
    }

    // x: (B, in) -> (B, out)
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = dropout.forward(activation.forward(fc1.forward(x)));   // (B, in) -> (B, hidden)
        return fc2.forward(h).MoveToOuterDisposeScope();                 // (B, hidden) -> (B, out)
    }
}
