using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Decoding;

/// A dense integer array in C order (token ids, attention masks) read from or written to a .npy file.
public sealed record NpyIntegerArray(long[] Data, int[] Shape)
{
    public string ShapeText => NpyArray.FormatShape(Shape);
}

/// .npy files of token ids and attention masks: signed/unsigned integers of 1–8 bytes and booleans in either byte
/// order and C or Fortran order, plus float arrays whose values are all integers (as <see cref="NpyFile"/>, which
/// reads feature arrays, returns them). Problems throw <see cref="PhoenixDataException"/> naming the file.
public static partial class NpyIntegerFile
{
    private const string Accepted = "int64/int32/int16/int8, uint8–uint64, bool, or float arrays holding whole numbers";

    /// Reads <paramref name="path"/> into int64 values in C order.
    public static NpyIntegerArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot be read: {e.Message}", e);
        }
        var (descr, fortran, shape, dataOffset) = ParseHeader(bytes, path);
        if (descr.Length >= 2 && descr[1] == 'f')
            return FromFloats(NpyFile.Read(path), path);
        var (kind, size, bigEndian) = ParseDescr(descr, path);
        long count = NpyArray.CountOf(shape);
        long needed = count * size;
        long available = bytes.Length - dataOffset;
        if (available != needed)
            throw new PhoenixDataException(path, $"shape {NpyArray.FormatShape(shape)} of '{descr}' needs {needed} data bytes but {available} follow the header");
        var values = new long[count];
        var data = bytes.AsSpan((int)dataOffset);
        for (long i = 0; i < count; i++)
            values[i] = Decode(data.Slice((int)(i * size), size), kind, bigEndian, path);
        if (fortran && shape.Length > 1)
            values = FortranToC(values, shape);
        return new NpyIntegerArray(values, shape);
    }

    /// Writes a little-endian int64, C-order, version 1.0 file (as numpy's np.save of an int64 array).
    public static void WriteInt64(string path, ReadOnlySpan<long> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (NpyArray.CountOf(shape) != values.Length)
            throw new ArgumentException($"shape {NpyArray.FormatShape(shape)} does not hold {values.Length} values", nameof(shape));
        string dict = $"{{'descr': '<i8', 'fortran_order': False, 'shape': {NpyArray.FormatShape(shape)}, }}";
        int prefix = NpyFile.Magic.Length + 4;
        int padding = NpyFile.ArrayAlign - (prefix + dict.Length + 1) % NpyFile.ArrayAlign;
        byte[] header = Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(NpyFile.Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(header);
        Span<byte> item = stackalloc byte[8];
        foreach (long v in values)
        {
            BinaryPrimitives.WriteInt64LittleEndian(item, v);
            stream.Write(item);
        }
    }

    private static (string Descr, bool Fortran, int[] Shape, long DataOffset) ParseHeader(byte[] bytes, string path)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, NpyFile.Magic.Length).SequenceEqual(NpyFile.Magic))
            throw new PhoenixDataException(path, "not a .npy file (it does not start with \\x93NUMPY); save the array with numpy.save");
        int major = bytes[6];
        if (major is < 1 or > 3)
            throw new PhoenixDataException(path, $"unsupported .npy format version {major}.{bytes[7]} (supported: 1.0, 2.0, 3.0)");
        int lengthSize = major == 1 ? 2 : 4;
        if (bytes.Length < 8 + lengthSize)
            throw new PhoenixDataException(path, "truncated: the file ends inside the header length");
        long headerLength = lengthSize == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        long dataOffset = 8 + lengthSize + headerLength;
        if (headerLength > NpyFile.MaxHeaderLength || dataOffset > bytes.Length)
            throw new PhoenixDataException(path, $"truncated or damaged: the header declares {headerLength} bytes");
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, 8 + lengthSize, (int)headerLength);
        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new PhoenixDataException(path, $"header is not a valid .npy dictionary with 'descr', 'fortran_order' and 'shape': {text.Trim()}");
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", ParseShape(shape.Groups[1].Value, path), dataOffset);
    }

    private static int[] ParseShape(string text, string path)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new PhoenixDataException(path, $"header 'shape' ({text}) must be a tuple of non-negative integers");
        return shape;
    }

    private static (char Kind, int Size, bool BigEndian) ParseDescr(string descr, string path)
    {
        if (descr.Length == 3 && descr[0] is '<' or '>' or '|' or '=' && descr[1] is 'i' or 'u' or 'b' && descr[2] is '1' or '2' or '4' or '8')
        {
            int size = descr[2] - '0';
            if (descr[1] != 'b' || size == 1)
                return (descr[1], size, descr[0] == '>');
        }
        throw new PhoenixDataException(path, $"dtype '{descr}' cannot hold token ids or a mask; accepted: {Accepted}; convert with arr.astype(np.int64)");
    }

    private static long Decode(ReadOnlySpan<byte> item, char kind, bool bigEndian, string path)
    {
        switch (kind, item.Length)
        {
            case ('b', _): return item[0] != 0 ? 1 : 0;
            case ('i', 1): return (sbyte)item[0];
            case ('u', 1): return item[0];
            case ('i', 2): return bigEndian ? BinaryPrimitives.ReadInt16BigEndian(item) : BinaryPrimitives.ReadInt16LittleEndian(item);
            case ('u', 2): return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(item) : BinaryPrimitives.ReadUInt16LittleEndian(item);
            case ('i', 4): return bigEndian ? BinaryPrimitives.ReadInt32BigEndian(item) : BinaryPrimitives.ReadInt32LittleEndian(item);
            case ('u', 4): return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(item) : BinaryPrimitives.ReadUInt32LittleEndian(item);
            case ('i', 8): return bigEndian ? BinaryPrimitives.ReadInt64BigEndian(item) : BinaryPrimitives.ReadInt64LittleEndian(item);
            default:
                ulong u = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(item) : BinaryPrimitives.ReadUInt64LittleEndian(item);
                return u <= long.MaxValue ? (long)u : throw new PhoenixDataException(path, $"value {u} does not fit a token id");
        }
    }

    private static NpyIntegerArray FromFloats(NpyArray array, string path)
    {
        var values = new long[array.Data.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = array.Data[i];
            if (!float.IsFinite(v) || v != MathF.Round(v) || Math.Abs(v) > 1 << 24)
                throw new PhoenixDataException(path, $"value {v.ToString(CultureInfo.InvariantCulture)} at flat index {i} is not a whole number; token ids and masks must be integers (save them with arr.astype(np.int64))");
            values[i] = (long)v;
        }
        return new NpyIntegerArray(values, array.Shape);
    }

    private static long[] FortranToC(long[] values, int[] shape)
    {
        int rank = shape.Length;
        var fStride = new long[rank];
        fStride[0] = 1;
        for (int d = 1; d < rank; d++)
            fStride[d] = fStride[d - 1] * shape[d - 1];
        var result = new long[values.Length];
        var index = new int[rank];
        for (int c = 0; c < values.Length; c++)
        {
            long f = 0;
            for (int d = 0; d < rank; d++)
                f += index[d] * fStride[d];
            result[c] = values[f];
            for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--)
                index[d] = 0;
        }
        return result;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
