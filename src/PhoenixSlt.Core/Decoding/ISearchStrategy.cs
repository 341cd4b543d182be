using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// What a search strategy decided in one step for the rows still being decoded.
/// <param name="Tokens">Next token of each new row.</param>
/// <param name="ParentRows">Row (of the step's input rows) that each new row continues.</param>
/// <param name="Reordered">False when row i simply continues row i (no cache reordering needed).</param>
/// <param name="Dropped">True when rows of finished sentences were removed (the cache must be compacted).</param>
public sealed record SearchStep(long[] Tokens, long[] ParentRows, bool Reordered, bool Dropped);

/// A decoding strategy for one generation call (greedy or beam search). <see cref="SequenceGenerator"/> runs the
/// model and the cache; the strategy turns each step's logits into next tokens, keeps the bookkeeping of finished
/// sentences, and builds the output.
public interface ISearchStrategy : IDisposable
{
    /// Decoder rows per source sentence (1 for greedy, num_beams for beam search).
    int RowsPerSentence { get; }

    /// <paramref name="logits"/>: (N, V) next-token logits of the N rows of <paramref name="history"/>.
    SearchStep Step(Tensor logits, TokenHistory history);

    /// The output once decoding stopped (all sentences finished, or <paramref name="history"/> reached max length).
    GenerationOutput Finish(TokenHistory history);
}
