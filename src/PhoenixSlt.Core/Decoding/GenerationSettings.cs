namespace PhoenixSlt.Core.Decoding;

/// Effective, validated generation settings (built by <see cref="GenerationConfig.Resolve"/>). Lengths count
/// decoder positions including the start token, as transformers' cur_len does.
public sealed record GenerationSettings
{
    /// 1 = greedy search, more = beam search.
    public required int NumBeams { get; init; }

    /// Decoding stops when the sequences reach this length (start token included).
    public required int MaxLength { get; init; }

    /// EOS is forbidden while the sequence is shorter than this (start token included).
    public int MinLength { get; init; }

    public double LengthPenalty { get; init; } = 1.0;

    public EarlyStopping EarlyStopping { get; init; } = EarlyStopping.Heuristic;

    public int NoRepeatNgramSize { get; init; }

    public required long DecoderStartTokenId { get; init; }

    public required long PadTokenId { get; init; }

    /// Tokens that end a sequence (may be empty: then every sequence runs to <see cref="MaxLength"/>).
    public required IReadOnlyList<long> EosTokenIds { get; init; }

    /// Tokens forced at position <see cref="MaxLength"/> - 1 (empty = no forcing).
    public IReadOnlyList<long> ForcedEosTokenIds { get; init; } = [];

    /// Greedy search also returns the processed scores of every step.
    public bool OutputScores { get; init; }

    public required int VocabSize { get; init; }

    /// The logits processors these settings ask for, in transformers' order: no-repeat n-gram, minimum length,
    /// forced EOS.
    public IReadOnlyList<ILogitsProcessor> LogitsProcessors()
    {
        var processors = new List<ILogitsProcessor>();
        if (NoRepeatNgramSize > 0)
            processors.Add(new NoRepeatNGramLogitsProcessor(NoRepeatNgramSize));
        if (MinLength > 0 && EosTokenIds.Count > 0)
            processors.Add(new MinLengthLogitsProcessor(MinLength, EosTokenIds));
        if (ForcedEosTokenIds.Count > 0)
            processors.Add(new ForcedEosLogitsProcessor(MaxLength, ForcedEosTokenIds));
        return processors;
    }

    /// Whether <paramref name="token"/> ends a sequence.
    public bool IsEos(long token)
    {
        foreach (long eos in EosTokenIds)
            if (eos == token)
                return true;
        return false;
    }
}
