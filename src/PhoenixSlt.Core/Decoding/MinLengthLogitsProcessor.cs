using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Same rule as transformers' MinLengthLogitsProcessor (and MinNewTokensLengthLogitsProcessor with the start token
/// as prompt): while the sequences are shorter than <see cref="MinLength"/>, EOS scores are -inf.
public sealed class MinLengthLogitsProcessor : ILogitsProcessor
{
    private readonly long[] _eosTokenIds;

    public MinLengthLogitsProcessor(int minLength, IReadOnlyList<long> eosTokenIds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        ArgumentNullException.ThrowIfNull(eosTokenIds);
        MinLength = minLength;
        _eosTokenIds = [.. eosTokenIds];
    }

    /// Smallest length (start token included) at which EOS may be chosen.
    public int MinLength { get; }

    public Tensor Process(Tensor scores, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Length >= MinLength || _eosTokenIds.Length == 0)
            return scores;
        using var ids = LogitsProcessing.Ids(_eosTokenIds, scores.device);
        return scores.index_fill_(1, ids, float.NegativeInfinity); // (N,V)
    }
}
