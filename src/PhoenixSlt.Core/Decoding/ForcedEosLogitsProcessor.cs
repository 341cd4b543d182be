using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Same rule as transformers' ForcedEOSTokenLogitsProcessor: when the sequences have length max_length - 1 (one
/// token left), every score becomes -inf except the EOS token(s), which become 0.
public sealed class ForcedEosLogitsProcessor : ILogitsProcessor
{
    private readonly long[] _eosTokenIds;

    public ForcedEosLogitsProcessor(int maxLength, IReadOnlyList<long> eosTokenIds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentNullException.ThrowIfNull(eosTokenIds);
        if (eosTokenIds.Count == 0)
            throw new ArgumentException("at least one EOS token id is needed", nameof(eosTokenIds));
        MaxLength = maxLength;
        _eosTokenIds = [.. eosTokenIds];
    }

    public int MaxLength { get; }

    public Tensor Process(Tensor scores, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Length != MaxLength - 1)
            return scores;
        using var ids = LogitsProcessing.Ids(_eosTokenIds, scores.device);
        return scores.fill_(float.NegativeInfinity).index_fill_(1, ids, 0.0); // (N,V)
    }
}
