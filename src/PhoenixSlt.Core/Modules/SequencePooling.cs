using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Pooling of padded sequences into one vector per row.
public static class SequencePooling
{
    /// Mean over the real frames of each row. <paramref name="hidden"/>: (B, T, D); <paramref name="mask"/>: (B, T),
    /// true/non-zero on real frames. Padded frames never contribute, whatever they hold; a row without real frames
    /// pools to 0. Returns (B, D).
    public static Tensor MaskedMean(Tensor hidden, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(mask);
        if (hidden.dim() != 3 || mask.dim() != 2 || mask.shape[0] != hidden.shape[0] || mask.shape[1] != hidden.shape[1])
            throw new ArgumentException($"mask ({Shape(mask)}) must be (B, T) of hidden ({Shape(hidden)}) = (B, T, D)", nameof(mask));
        using var scope = NewDisposeScope();
        Tensor real = mask.ne(0).unsqueeze(-1);                                   // (B, T) -> (B, T, 1)
        Tensor sum = hidden.masked_fill(real.logical_not(), 0.0).sum(1);          // (B, T, D) -> (B, D)
        Tensor count = real.sum(1).to(hidden.dtype).clamp_min(1.0);               // (B, 1)
        return (sum / count).MoveToOuterDisposeScope();                           // (B, D)
    }

    /// Position of the last <paramref name="eosId"/> in each row of <paramref name="ids"/> (B, S) int64 — for mBART
    /// targets "text &lt;/s&gt; lang pad…" the &lt;/s&gt; just before the language code. Returns (B) int64.
    /// <see cref="ArgumentException"/> when a row holds no end-of-sentence token.
    public static Tensor LastPositionOf(Tensor ids, long eosId)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.dim() != 2)
            throw new ArgumentException($"token ids must be (B, S); got ({Shape(ids)})", nameof(ids));
        using var scope = NewDisposeScope();
        Tensor positions = arange(ids.shape[1], ScalarType.Int64, ids.device).unsqueeze(0).expand_as(ids); // (B, S)
        Tensor candidates = positions.masked_fill(ids.ne(eosId), -1);                                       // (B, S)
        Tensor last = candidates.max(1).values;                                                              // (B)
        Tensor missing = last.lt(0);
        if (missing.any().item<bool>())
        {
            long row = missing.to(ScalarType.Int64).argmax().item<long>();
            throw new ArgumentException($"row {row} of the token ids holds no end-of-sentence token (id {eosId}); encode texts with the tokenizer, which appends '</s> language'", nameof(ids));
        }
        return last.MoveToOuterDisposeScope();
    }

    /// Row b's vector at position <paramref name="positions"/>[b]. <paramref name="hidden"/>: (B, S, D);
    /// <paramref name="positions"/>: (B) int64. Returns (B, D).
    public static Tensor Gather(Tensor hidden, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(positions);
        if (hidden.dim() != 3 || positions.dim() != 1 || positions.shape[0] != hidden.shape[0])
            throw new ArgumentException($"positions ({Shape(positions)}) must be (B) for hidden ({Shape(hidden)}) = (B, S, D)", nameof(positions));
        using var scope = NewDisposeScope();
        Tensor index = positions.to(hidden.device).view(-1, 1, 1).expand(-1, 1, hidden.shape[2]); // (B) -> (B, 1, D)
        return hidden.gather(1, index).squeeze(1).MoveToOuterDisposeScope();                        // (B, 1, D) -> (B, D)
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
