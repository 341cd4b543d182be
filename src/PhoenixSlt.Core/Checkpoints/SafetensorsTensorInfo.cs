namespace PhoenixSlt.Core.Checkpoints;

/// One tensor entry of a safetensors header: dtype, shape and its byte range [Begin, End) in the data section.
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    /// Number of elements (1 for a scalar of shape []).
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    public long ByteLength => End - Begin;

    /// Shape as written in the header, e.g. "[3, 26]".
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
