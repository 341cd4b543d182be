using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Adjusts next-token scores before a search strategy picks tokens (transformers' LogitsProcessor).
public interface ILogitsProcessor
{
    /// <paramref name="scores"/>: (N, V) next-token scores of the N rows of <paramref name="history"/> (log-probs in
    /// beam search, raw logits in greedy search). May modify <paramref name="scores"/> in place; returns the
    /// processed scores.
    Tensor Process(Tensor scores, TokenHistory history);
}

/// Applies a list of processors in order.
public static class LogitsProcessing
{
    public static Tensor Apply(IReadOnlyList<ILogitsProcessor> processors, Tensor scores, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(processors);
        foreach (var processor in processors)
            scores = processor.Process(scores, history);
        return scores;
    }

    /// (n) int64 tensor of <paramref name="ids"/> on <paramref name="device"/>.
    internal static Tensor Ids(IReadOnlyList<long> ids, Device device) => tensor(ids.ToArray(), [ids.Count], device: device);
}
