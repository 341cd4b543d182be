using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Per-frame, per-channel gated fusion of two aligned streams: g = sigmoid(W·[k; s] + b), fused = g ⊙ k + (1 − g) ⊙ s.
/// The gate decides, channel by channel, how much comes from the keypoints (k) and how much from SigLIP (s); the
/// output is a convex combination, so it stays on the scale of its inputs.
/// The gated multimodal unit (Arevalo et al., ICLR Workshop 2017) without its tanh input projections (each stream
/// already has its own projection).
public sealed class GatedFusion : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly AmpLinear gate;

    public GatedFusion(int dModel) : base(nameof(GatedFusion))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        gate = new AmpLinear(2 * dModel, dModel);
        RegisterComponents();
    }

    // keypoints: (B, T, D), siglip: (B, T, D) aligned frame by frame -> (B, T, D)
    public override Tensor forward(Tensor keypoints, Tensor siglip)
    {
        using var scope = torch.NewDisposeScope();
        Tensor g = torch.sigmoid(gate.forward(torch.cat([keypoints, siglip], dim: -1))); // (B, T, 2D) -> (B, T, D)
        Tensor fused = g * keypoints + (1.0 - g) * siglip;                                 // (B, T, D)
        return fused.MoveToOuterDisposeScope();
    }
}
