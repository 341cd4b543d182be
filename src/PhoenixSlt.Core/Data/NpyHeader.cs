namespace PhoenixSlt.Core.Data;

/// Element types accepted in feature files; all are read into float32.
public enum NpyElementType
{
    Float16,
    Float32,
    Float64,
}

/// How a .npy file is laid out: format version (1.0, 2.0, 3.0), element type, byte order and memory order.
public sealed record NpyFormat(int MajorVersion = 1, NpyElementType ElementType = NpyElementType.Float32, bool BigEndian = false, bool FortranOrder = false)
{
    /// What numpy writes for a float32 C-contiguous array on a little-endian machine (np.save default).
    public static NpyFormat Default { get; } = new();

    public int ItemSize => NpyDType.ItemSize(ElementType);

    /// The header 'descr' value, e.g. '&lt;f4'.
    public string Descr => NpyDType.Descr(ElementType, BigEndian);
}

/// The parsed header of a .npy file.
public sealed record NpyHeader(int MajorVersion, int MinorVersion, NpyFormat Format, int[] Shape, long DataOffset)
{
    public long Count => NpyArray.CountOf(Shape);
    public long DataBytes => Count * Format.ItemSize;
    public string ShapeText => NpyArray.FormatShape(Shape);
}

/// numpy dtype strings ('descr') of the accepted element types.
public static class NpyDType
{
    /// Accepted descr values, listed in error messages.
    public static readonly IReadOnlyList<string> Accepted = ["<f2", "<f4", "<f8", ">f2", ">f4", ">f8"];

    public static int ItemSize(NpyElementType type) => type switch
    {
        NpyElementType.Float16 => 2,
        NpyElementType.Float32 => 4,
        NpyElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string Descr(NpyElementType type, bool bigEndian) => $"{(bigEndian ? '>' : '<')}f{ItemSize(type)}";

    public static string Name(NpyElementType type) => type switch
    {
        NpyElementType.Float16 => "float16",
        NpyElementType.Float32 => "float32",
        _ => "float64",
    };

    /// Parses '&lt;f4', '>f8', '=f2' ('=' and '|' are read as little-endian); null when not an accepted float dtype.
    public static (NpyElementType Type, bool BigEndian)? TryParse(string descr)
    {
        if (descr.Length != 3 || descr[1] != 'f' || descr[0] is not ('<' or '>' or '=' or '|'))
            return null;
        NpyElementType? type = descr[2] switch
        {
            '2' => NpyElementType.Float16,
            '4' => NpyElementType.Float32,
            '8' => NpyElementType.Float64,
            _ => null,
        };
        return type is null ? null : (type.Value, descr[0] == '>');
    }
}
