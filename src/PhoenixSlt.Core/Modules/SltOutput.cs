using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// What the <see cref="SignTranslationModel"/> returns. Dispose it (or let an enclosing dispose scope do so).
/// <param name="Logits">(B, L, V) next-token logits.</param>
/// <param name="Loss">Scalar label-smoothed cross-entropy over non-pad labels, or null without labels.</param>
/// <param name="EncoderHiddenStates">(B, T, d_model) mBART encoder output over the visual frames.</param>
/// <param name="EncoderMask">(B, T) int64, 1 on real frames.</param>
/// <param name="GlossLoss">The unweighted gloss CTC loss (already in <paramref name="Loss"/>), or null.</param>
public sealed record SltOutput(Tensor Logits, Tensor? Loss, Tensor EncoderHiddenStates, Tensor EncoderMask, Tensor? GlossLoss = null) : IDisposable
{
    public void Dispose()
    {
        GlossLoss?.Dispose();
        Logits.Dispose();
        Loss?.Dispose();
        EncoderHiddenStates.Dispose();
        EncoderMask.Dispose();
    }
}
