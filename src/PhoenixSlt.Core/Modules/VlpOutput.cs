using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// What the <see cref="VisualLanguagePretrainer"/> returns. Dispose it (or let an enclosing dispose scope do so).
/// <param name="Loss">Scalar symmetric InfoNCE loss, plus the weighted gloss CTC loss with a gloss head.</param>
/// <param name="LogitsPerVisual">(B, B): scale · v tᵀ; row i = visual i against every text.</param>
/// <param name="LogitScale">Scalar effective scale min(exp(logit_scale), max_logit_scale).</param>
/// <param name="VisualEmbeddings">(B, E) L2-normalised.</param>
/// <param name="TextEmbeddings">(B, E) L2-normalised.</param>
/// <param name="GlossLoss">Scalar gloss CTC loss (unweighted), or null without a gloss head or gloss targets.</param>
/// <param name="GlossLogProbs">(B, T, C) the gloss head's frame log-probabilities, with <paramref name="GlossLoss"/>.</param>
/// <param name="GlossFrames">(B) int64 real frames per clip, with <paramref name="GlossLoss"/>
/// (<see cref="GlossCtcHead.GreedyDecode"/> of the two gives the recognised glosses).</param>
public sealed record VlpOutput(Tensor Loss, Tensor LogitsPerVisual, Tensor LogitScale, Tensor VisualEmbeddings, Tensor TextEmbeddings,
    Tensor? GlossLoss = null, Tensor? GlossLogProbs = null, Tensor? GlossFrames = null) : IDisposable
{
    /// (B, B): row j = text j against every visual (the transpose of <see cref="LogitsPerVisual"/>).
    public Tensor LogitsPerText => LogitsPerVisual.t();

    public void Dispose()
    {
        Loss.Dispose();
        LogitsPerVisual.Dispose();
        LogitScale.Dispose();
        VisualEmbeddings.Dispose();
        TextEmbeddings.Dispose();
        GlossLoss?.Dispose();
        GlossLogProbs?.Dispose();
        GlossFrames?.Dispose();
    }
}
