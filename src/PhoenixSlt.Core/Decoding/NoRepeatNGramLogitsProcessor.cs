using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Same rule as transformers' NoRepeatNGramLogitsProcessor: for each row, a token gets -inf if appending it would
/// repeat an n-gram already in the row (the decoder start token counts as part of the row). The banned tokens are
/// found on the CPU from the <see cref="TokenHistory"/> and written with one tensor operation for all rows.
public sealed class NoRepeatNGramLogitsProcessor : ILogitsProcessor
{
    public NoRepeatNGramLogitsProcessor(int ngramSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ngramSize);
        NgramSize = ngramSize;
    }

    public int NgramSize { get; }

    public Tensor Process(Tensor scores, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(history);
        if (scores.shape[0] != history.Rows)
            throw new ArgumentException($"scores have {scores.shape[0]} rows but the history has {history.Rows}", nameof(scores));
        long vocab = scores.shape[1];
        var flatIndex = new List<long>();
        for (int row = 0; row < history.Rows; row++)
            foreach (long token in BannedTokens(history.Row(row), NgramSize))
                if (token >= 0 && token < vocab)
                    flatIndex.Add(row * vocab + token);
        if (flatIndex.Count == 0)
            return scores;
        var processed = scores.contiguous();
        using var index = tensor(flatIndex.ToArray(), [flatIndex.Count], device: scores.device);
        processed.view(-1).index_fill_(0, index, float.NegativeInfinity); // (N·V) view of (N,V)
        return processed;
    }

    /// Tokens that would complete an n-gram already present in <paramref name="tokens"/>: every token that follows
    /// an occurrence of the last n-1 tokens (all tokens of the row when n = 1). Nothing while the row is shorter than
    /// n - 1.
    public static IEnumerable<long> BannedTokens(ReadOnlySpan<long> tokens, int ngramSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ngramSize);
        int length = tokens.Length;
        var banned = new List<long>();
        if (length + 1 < ngramSize)
            return banned;
        int prefixLength = ngramSize - 1;
        var prefix = tokens[(length - prefixLength)..];
        for (int start = 0; start + ngramSize <= length; start++)
            if (tokens.Slice(start, prefixLength).SequenceEqual(prefix))
                banned.Add(tokens[start + prefixLength]);
        return banned;
    }
}
