namespace PhoenixSlt.Core.Text;

/// A right-padded batch of token ids, row-major (BatchSize × SequenceLength), ready for
/// torch.tensor(InputIds, [BatchSize, SequenceLength]).
/// <param name="InputIds">Ids; padded positions hold the pad id.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding.</param>
/// <param name="Lengths">Number of real tokens of each row.</param>
public sealed record TokenBatch(long[] InputIds, long[] AttentionMask, int BatchSize, int SequenceLength, int[] Lengths)
{
    /// Builds a batch from encoded rows, padding on the right with <paramref name="padId"/>.
    public static TokenBatch FromRows(IReadOnlyList<IReadOnlyList<int>> rows, int padId)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int length = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var lengths = new int[rows.Count];
        for (int b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            lengths[b] = row.Count;
            for (int t = 0; t < length; t++)
            {
                bool real = t < row.Count;
                ids[b * length + t] = real ? row[t] : padId;
                mask[b * length + t] = real ? 1 : 0;
            }
        }
        return new TokenBatch(ids, mask, rows.Count, length, lengths);
    }

    /// The ids of row <paramref name="row"/> including padding.
    public ReadOnlySpan<long> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        return InputIds.AsSpan(row * SequenceLength, SequenceLength);
    }

    /// The attention mask of row <paramref name="row"/>.
    public ReadOnlySpan<long> MaskRow(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        return AttentionMask.AsSpan(row * SequenceLength, SequenceLength);
    }
}
