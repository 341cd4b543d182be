using PhoenixSlt.Core.Amp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules;

/// The symmetric InfoNCE loss of CLIP (Radford et al., ICML 2021, Fig. 3), as GFSLT-VLP (Zhou et al., ICCV 2023)
/// uses it to align sign videos with their translations: with L2-normalised visual v and text t embeddings and a
/// scale s, logits = s · v tᵀ (B, B); the matching pair of row i is column i; the loss is the mean of the
/// cross-entropy over rows (visual → text) and over columns (text → visual).
public static class ContrastiveLoss
{
    /// <paramref name="visual"/>, <paramref name="text"/>: (B, E), already L2-normalised; <paramref name="scale"/>:
    /// a scalar tensor (gradients flow into it). Returns the scalar loss and the logits per visual row (B, B); the
    /// logits per text row are their transpose.
    public static (Tensor Loss, Tensor LogitsPerVisual) SymmetricInfoNce(Tensor visual, Tensor text, Tensor scale)
    {
        ArgumentNullException.ThrowIfNull(visual);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(scale);
        if (visual.dim() != 2 || text.dim() != 2 || !visual.shape.SequenceEqual(text.shape))
            throw new ArgumentException($"visual ({Shape(visual)}) and text ({Shape(text)}) embeddings must both be (B, E)", nameof(text));
        if (scale.numel() != 1)
            throw new ArgumentException($"the logit scale must be a scalar; got ({Shape(scale)})", nameof(scale));
        using var scope = NewDisposeScope();
        (visual, text) = (Autocast.ToFloat32(visual), Autocast.ToFloat32(text));          // a loss: float32 under autocast
        Tensor logitsPerVisual = scale * visual.matmul(text.t());                            // (B, E) x (E, B) -> (B, B)
        Tensor targets = arange(visual.shape[0], ScalarType.Int64, visual.device);           // (B)
        Tensor visualToText = F.cross_entropy(logitsPerVisual, targets);                      // rows
        Tensor textToVisual = F.cross_entropy(logitsPerVisual.t(), targets);                  // columns
        Tensor loss = (visualToText + textToVisual) / 2.0;
        return (loss.MoveToOuterDisposeScope(), logitsPerVisual.MoveToOuterDisposeScope());
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
