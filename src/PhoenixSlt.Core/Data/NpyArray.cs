namespace PhoenixSlt.Core.Data;

/// A dense float32 array in C (row-major) order, as read from or written to a .npy file.
public sealed record NpyArray
{
    /// <param name="data">values in C order; its length must equal the product of <paramref name="shape"/></param>
    /// <param name="shape">dimensions, each ≥ 0 (an empty shape is a scalar holding one value)</param>
    public NpyArray(float[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long count = CountOf(shape);
        if (count != data.Length)
            throw new ArgumentException($"shape {FormatShape(shape)} holds {count} values but {data.Length} were given", nameof(shape));
        Data = data;
        Shape = shape;
    }

    public float[] Data { get; }
    public int[] Shape { get; }

    public int Rank => Shape.Length;
    public int Count => Data.Length;

    /// Size of dimension <paramref name="axis"/> (negative counts from the end).
    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    /// The values of index <paramref name="i"/> along the first axis (e.g. frame i of a (T, D) array).
    public Span<float> Row(int i)
    {
        if (Rank == 0)
            throw new InvalidOperationException("a scalar has no rows");
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Shape[0]);
        int rowLength = Shape[0] == 0 ? 0 : Data.Length / Shape[0];
        return Data.AsSpan(i * rowLength, rowLength);
    }

    /// The value at a full multi-index (C order).
    public float this[params int[] index] => Data[Offset(index)];

    /// Linear C-order offset of a full multi-index.
    public int Offset(params int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != Rank)
            throw new ArgumentException($"index has {index.Length} dimensions but the array has shape {ShapeText}", nameof(index));
        int offset = 0;
        for (int d = 0; d < Rank; d++)
        {
            if ((uint)index[d] >= (uint)Shape[d])
                throw new IndexOutOfRangeException($"index {index[d]} is out of range for axis {d} of shape {ShapeText}");
            offset = offset * Shape[d] + index[d];
        }
        return offset;
    }

    /// The same values under another shape with the same number of elements (the data is shared, not copied).
    public NpyArray Reshape(params int[] shape) => new(Data, shape);

    /// Python-style shape text: (), (5,), (2, 3).
    public string ShapeText => FormatShape(Shape);

    public static string FormatShape(IReadOnlyList<int> shape)
        => shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    /// Number of elements of a shape (1 for a scalar); throws on negative dimensions.
    public static long CountOf(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count = checked(count * d);
        }
        return count;
    }

    public bool Equals(NpyArray? other)
        => other is not null && Shape.AsSpan().SequenceEqual(other.Shape) && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Rank, Count, Count > 0 ? Data[0] : 0f);

    public override string ToString() => $"NpyArray {ShapeText}";
}
