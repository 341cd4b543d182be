using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace PhoenixSlt.Core.Data;

/// NumPy .npy files (format versions 1.0–3.0), float16/32/64, either byte order, C or Fortran order.
/// Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): magic "\x93NUMPY", major and
/// minor version bytes, header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0), a Python dict literal
/// {'descr': …, 'fortran_order': …, 'shape': …} (latin-1 in 1.x/2.x, UTF-8 in 3.0) padded with spaces and a final
/// '\n' so the data starts on a 64-byte boundary, then the raw data.
public static partial class NpyFile
{
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// Alignment of the data start (numpy's ARRAY_ALIGN).
    public const int ArrayAlign = 64;

    /// numpy ≥ 1.23 leaves room after the dict so the growth axis can reach 21 digits (GROWTH_AXIS_MAX_DIGITS).
    public const int GrowthAxisMaxDigits = 21;

    /// Writes a little-endian float32, C-order, version 1.0 .npy file (byte-identical to numpy 1.24's np.save).
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, params int[] shape)
        => Write(path, new NpyArray(data.ToArray(), shape), NpyFormat.Default);

    /// Writes <paramref name="array"/> (C-order values) in the given layout (default: float32, little-endian, C order, 1.0).
    public static void Write(string path, NpyArray array, NpyFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(fs, array, format);
    }

    public static void Write(Stream stream, NpyArray array, NpyFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        format ??= NpyFormat.Default;
        stream.Write(EncodeHeader(array.Shape, format));
        float[] ordered = format.FortranOrder ? Reorder(array.Data, array.Shape, toFortran: true) : array.Data;
        WriteValues(stream, ordered, format);
    }

    /// The complete file contents.
    public static byte[] Encode(NpyArray array, NpyFormat? format = null)
    {
        using var ms = new MemoryStream();
        Write(ms, array, format);
        return ms.ToArray();
    }

    /// Header dict text exactly as numpy's _write_array_header builds it (keys sorted, repr values, growth padding).
    public static string HeaderDict(IReadOnlyList<int> shape, NpyFormat format)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(format);
        string dict = $"{{'descr': '{format.Descr}', 'fortran_order': {(format.FortranOrder ? "True" : "False")}, 'shape': {NpyArray.FormatShape(shape)}, }}";
        if (shape.Count > 0)
        {
            int growthAxis = format.FortranOrder ? shape[^1] : shape[0];
            dict += new string(' ', Math.Max(0, GrowthAxisMaxDigits - growthAxis.ToString(CultureInfo.InvariantCulture).Length));
        }
        return dict;
    }

    /// Magic, version, header length and padded header (numpy's _wrap_header: 1–64 spaces then '\n').
    public static byte[] EncodeHeader(IReadOnlyList<int> shape, NpyFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (format.MajorVersion is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(format), format.MajorVersion, "npy format version must be 1, 2 or 3");
        byte[] dict = (format.MajorVersion == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(HeaderDict(shape, format));
        int lengthSize = format.MajorVersion == 1 ? 2 : 4;
        int prefix = Magic.Length + 2 + lengthSize;
        int hlen = dict.Length + 1;
        int padlen = ArrayAlign - (prefix + hlen) % ArrayAlign;
        int headerLength = hlen + padlen;
        if (format.MajorVersion == 1 && headerLength > ushort.MaxValue)
            throw new ArgumentException($"header of {headerLength} bytes does not fit format 1.0; use version 2", nameof(format));

        byte[] bytes = new byte[prefix + headerLength];
        Magic.CopyTo(bytes);
        bytes[6] = (byte)format.MajorVersion;
        bytes[7] = 0;
        if (lengthSize == 2)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLength);
        dict.CopyTo(bytes, prefix);
        bytes.AsSpan(prefix + dict.Length, padlen).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private static void WriteValues(Stream stream, float[] values, NpyFormat format)
    {
        if (format.ElementType == NpyElementType.Float32 && format.BigEndian != BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        int itemSize = format.ItemSize;
        byte[] buffer = new byte[Math.Min(values.Length, 8192) * itemSize];
        for (int start = 0; start < values.Length; start += 8192)
        {
            int n = Math.Min(8192, values.Length - start);
            for (int i = 0; i < n; i++)
                EncodeValue(buffer.AsSpan(i * itemSize, itemSize), values[start + i], format);
            stream.Write(buffer, 0, n * itemSize);
        }
    }

    private static void EncodeValue(Span<byte> dst, float v, NpyFormat format)
    {
        switch (format.ElementType, format.BigEndian)
        {
            case (NpyElementType.Float16, false): BinaryPrimitives.WriteHalfLittleEndian(dst, (Half)v); break;
            case (NpyElementType.Float16, true): BinaryPrimitives.WriteHalfBigEndian(dst, (Half)v); break;
            case (NpyElementType.Float32, false): BinaryPrimitives.WriteSingleLittleEndian(dst, v); break;
            case (NpyElementType.Float32, true): BinaryPrimitives.WriteSingleBigEndian(dst, v); break;
            case (NpyElementType.Float64, false): BinaryPrimitives.WriteDoubleLittleEndian(dst, v); break;
            default: BinaryPrimitives.WriteDoubleBigEndian(dst, v); break;
        }
    }

    /// Converts between C order and Fortran order (reverse-strided) for the same shape.
    /// toFortran: input is C order, output Fortran order; otherwise the reverse.
    public static float[] Reorder(float[] values, int[] shape, bool toFortran)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < 2 || values.Length == 0)
            return (float[])values.Clone();
        // Fortran strides: axis 0 fastest.
        int rank = shape.Length;
        int[] fStride = new int[rank];
        fStride[0] = 1;
        for (int d = 1; d < rank; d++)
            fStride[d] = fStride[d - 1] * shape[d - 1];

        float[] result = new float[values.Length];
        int[] index = new int[rank];
        int fOffset = 0;
        for (int c = 0; c < values.Length; c++)
        {
            if (toFortran) result[fOffset] = values[c];
            else result[c] = values[fOffset];
            // advance the C-order odometer (last axis fastest), keeping the Fortran offset in step
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                fOffset += fStride[d];
                if (index[d] < shape[d])
                    break;
                fOffset -= fStride[d] * shape[d];
                index[d] = 0;
            }
        }
        return result;
    }
}
