using PhoenixSlt.Core.Amp;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Decoder inputs from labels and the training losses of mBART.
public static class MBartLoss
{
    /// transformers' index for positions that the loss ignores.
    public const long IgnoreIndex = -100;

    /// transformers' MBart shift_tokens_right: -100 → pad, then the last non-pad token of each row (the language
    /// code of mBART targets "text &lt;/s&gt; lang") moves to position 0 and the rest shifts right by one.
    /// Rows must be right-padded and contain at least one non-pad token.
    /// <paramref name="labels"/>: (B, T) int64 → (B, T) int64.
    public static Tensor ShiftTokensRight(Tensor labels, long padTokenId)
    {
        if (labels.dim() != 2 || labels.shape[1] == 0)
            throw new ArgumentException($"labels must be (batch, length ≥ 1), got [{string.Join(", ", labels.shape)}]", nameof(labels));
        using var scope = NewDisposeScope();
        var tokens = labels.masked_fill(labels.eq(IgnoreIndex), padTokenId); // (B,T)
        var lastIndex = tokens.ne(padTokenId).sum(1, type: ScalarType.Int64) - 1; // (B)
        if (lastIndex.lt(0).any().item<bool>())
            throw new ArgumentException("a label row holds only padding; every target needs at least one token", nameof(labels));
        var start = tokens.gather(1, lastIndex.unsqueeze(1)); // (B,1)
        var shifted = cat([start, tokens.narrow(1, 0, tokens.shape[1] - 1)], 1); // (B,1) + (B,T-1) -> (B,T)
        return shifted.MoveToOuterDisposeScope();
    }

    /// transformers' loss: mean cross-entropy over every label position except those equal to -100.
    /// <paramref name="logits"/>: (B, T, V); <paramref name="labels"/>: (B, T) int64. Returns a scalar.
    public static Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        long vocab = logits.shape[^1];
        return F.cross_entropy(Autocast.ToFloat32(logits).reshape(-1, vocab), labels.reshape(-1), ignore_index: IgnoreIndex) // (B·T,V), (B·T); float32 under autocast
            .MoveToOuterDisposeScope();
    }

    /// Training loss: cross-entropy with label smoothing <paramref name="epsilon"/> (PyTorch's definition: the
    /// target distribution is (1 - ε)·onehot + ε/V, so loss = (1 - ε)·NLL + ε·mean_v(-log p_v)), averaged over the
    /// positions whose label is not <paramref name="padTokenId"/> (nor -100).
    /// <paramref name="logits"/>: (B, T, V); <paramref name="labels"/>: (B, T) int64. Returns a scalar.
    public static Tensor LabelSmoothedCrossEntropy(Tensor logits, Tensor labels, long padTokenId, double epsilon)
    {
        if (epsilon is < 0 or >= 1 || double.IsNaN(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "label smoothing must be in [0, 1)");
        using var scope = NewDisposeScope();
        long vocab = logits.shape[^1];
        var targets = labels.masked_fill(labels.eq(padTokenId), IgnoreIndex).reshape(-1); // (B·T)
        return F.cross_entropy(Autocast.ToFloat32(logits).reshape(-1, vocab), targets, ignore_index: IgnoreIndex, label_smoothing: epsilon) // (B·T,V); float32 under autocast
            .MoveToOuterDisposeScope();
    }
}
