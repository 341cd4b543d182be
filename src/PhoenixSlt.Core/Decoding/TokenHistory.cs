namespace PhoenixSlt.Core.Decoding;

/// The tokens decoded so far for each row (decoder start token first), kept on the CPU for the bookkeeping that
/// needs them (n-gram blocking, finished hypotheses). All rows have the same <see cref="Length"/>.
public sealed class TokenHistory
{
    private readonly long[] _tokens;
    private readonly int _stride;

    private TokenHistory(long[] tokens, int rows, int length, int stride)
    {
        _tokens = tokens;
        Rows = rows;
        Length = length;
        _stride = stride;
    }

    public int Rows { get; }

    /// Tokens per row (transformers' cur_len).
    public int Length { get; }

    /// <paramref name="rows"/> rows holding only <paramref name="startToken"/>; room for
    /// <paramref name="capacity"/> tokens per row before the buffer grows.
    public static TokenHistory Start(int rows, long startToken, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        capacity = Math.Max(capacity, 1);
        var tokens = new long[rows * capacity];
        for (int r = 0; r < rows; r++)
            tokens[r * capacity] = startToken;
        return new TokenHistory(tokens, rows, 1, capacity);
    }

    /// A history holding <paramref name="rows"/> (all of the same, non-zero length).
    public static TokenHistory FromRows(IReadOnlyList<long[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int length = rows.Count == 0 ? 1 : rows[0].Length;
        if (length == 0 || rows.Any(r => r.Length != length))
            throw new ArgumentException("history rows must be non-empty and of equal length", nameof(rows));
        var tokens = new long[rows.Count * length];
        for (int r = 0; r < rows.Count; r++)
            rows[r].CopyTo(tokens, r * length);
        return new TokenHistory(tokens, rows.Count, length, length);
    }

    public ReadOnlySpan<long> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _tokens.AsSpan(row * _stride, Length);
    }

    /// The next history: row i = old row <paramref name="parentRows"/>[i] followed by <paramref name="tokens"/>[i].
    public TokenHistory Advance(ReadOnlySpan<long> parentRows, ReadOnlySpan<long> tokens)
    {
        if (parentRows.Length != tokens.Length)
            throw new ArgumentException($"{parentRows.Length} parent rows but {tokens.Length} tokens", nameof(tokens));
        int stride = Length < _stride ? _stride : _stride * 2;
        var next = new long[tokens.Length * stride];
        for (int i = 0; i < tokens.Length; i++)
        {
            long parent = parentRows[i];
            if (parent < 0 || parent >= Rows)
                throw new ArgumentOutOfRangeException(nameof(parentRows), parent, $"parent row must be in [0, {Rows})");
            Row((int)parent).CopyTo(next.AsSpan(i * stride));
            next[i * stride + Length] = tokens[i];
        }
        return new TokenHistory(next, tokens.Length, Length + 1, stride);
    }
}
