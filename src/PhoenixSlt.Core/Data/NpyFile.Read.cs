using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace PhoenixSlt.Core.Data;

public static partial class NpyFile
{
    /// Largest header accepted (guards against hostile files declaring gigabyte headers).
    public const int MaxHeaderLength = 64 * 1024;

    /// Largest number of dimensions accepted (numpy 1.x's NPY_MAXDIMS).
    public const int MaxRank = 32;

    /// The keys of a .npy header dictionary: numpy reads a file only when its header holds exactly these.
    public static readonly IReadOnlyList<string> HeaderKeys = ["descr", "fortran_order", "shape"];

    private const string AcceptedText = "float16, float32 or float64 ('<f2', '<f4', '<f8', or big-endian '>f2', '>f4', '>f8')";

    /// Reads a .npy file into float32 values in C order. Throws <see cref="PhoenixDataException"/> naming the file
    /// and the problem (truncated, wrong magic, unsupported version or dtype, object arrays, size mismatch, …).
    public static NpyArray Read(string path)
        => WithFile(path, fs => Read(fs, path));

    /// Reads only the header of a .npy file.
    public static NpyHeader ReadHeader(string path)
        => WithFile(path, fs => ReadHeader(fs, path));

    /// Reads only the header of a .npy file and checks, from the file length, that exactly the data bytes it declares
    /// follow it (the check <see cref="Read(string)"/> makes before reading values). The values are not read.
    public static NpyHeader ReadHeaderCheckingSize(string path)
        => WithFile(path, fs =>
        {
            NpyHeader header = ReadHeader(fs, path);
            return DataSizeProblem(header, fs.Length) is string problem ? throw new PhoenixDataException(path, problem) : header;
        });

    /// The problem when a .npy file of <paramref name="fileLength"/> bytes does not hold exactly the data bytes its
    /// header declares (truncated, or extra bytes after the data), or null.
    public static string? DataSizeProblem(NpyHeader header, long fileLength)
    {
        ArgumentNullException.ThrowIfNull(header);
        long available = fileLength - header.DataOffset;
        if (available == header.DataBytes)
            return null;
        return available < header.DataBytes
            ? TruncatedDataProblem(header, available)
            : $"shape/data size mismatch: shape {header.ShapeText} of {NpyDType.Name(header.Format.ElementType)} needs {header.DataBytes} data bytes but {available} follow the header";
    }

    /// Reads a .npy array from a stream; <paramref name="source"/> names it in problems.
    public static NpyArray Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        NpyHeader header = ReadHeader(stream, source);
        // The stream is at the first data byte, DataOffset bytes after the start of the .npy content.
        if (stream.CanSeek && DataSizeProblem(header, stream.Length - stream.Position + header.DataOffset) is string problem)
            throw new PhoenixDataException(source, problem);
        return ReadData(stream, header, source);
    }

    /// Reads the values that follow <paramref name="header"/> (the stream is at the first data byte, as
    /// <see cref="ReadHeader(Stream, string)"/> leaves it) and checks that nothing follows them. Reads at most the data
    /// bytes the header declares plus one, so it suits streams of unknown length (zip entries, uploads).
    public static NpyArray ReadData(Stream stream, NpyHeader header, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        long count = header.Count;
        if (count > Array.MaxLength)
            throw new PhoenixDataException(source, $"shape {header.ShapeText} holds {count} values, more than one array can hold");
        float[] values = ReadValues(stream, (int)count, header, source);
        if (stream.ReadByte() >= 0)
            throw new PhoenixDataException(source, $"shape/data size mismatch: more than the {header.DataBytes} data bytes of shape {header.ShapeText} follow the header");
        if (header.Format.FortranOrder)
            values = Reorder(values, header.Shape, toFortran: false);
        return new NpyArray(values, header.Shape);
    }

    /// Reads and validates the header; leaves the stream at the first data byte.
    public static NpyHeader ReadHeader(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[12];
        int n = stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false);
        int compared = Math.Min(n, Magic.Length);
        if (!prefix[..compared].SequenceEqual(Magic[..compared]))
            throw new PhoenixDataException(source, $"not a .npy file: it starts with {Hex(prefix[..compared])} instead of the magic 93 4E 55 4D 50 59 (\"\\x93NUMPY\"){NpzHint(prefix[..n])}");
        if (n < 8)
            throw new PhoenixDataException(source, $"truncated: {n} bytes, too short for a .npy header");
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new PhoenixDataException(source, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        int lengthSize = major == 1 ? 2 : 4;
        if (stream.ReadAtLeast(prefix.Slice(8, lengthSize), lengthSize, throwOnEndOfStream: false) < lengthSize)
            throw new PhoenixDataException(source, "truncated: the file ends inside the header length");
        long headerLength = lengthSize == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (headerLength > MaxHeaderLength)
            throw new PhoenixDataException(source, $"header declares {headerLength} bytes, more than the {MaxHeaderLength} accepted; the file is damaged or not a feature array");

        byte[] headerBytes = new byte[headerLength];
        int got = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (got < headerLength)
            throw new PhoenixDataException(source, $"truncated: the header declares {headerLength} bytes but only {got} follow");
        string text;
        try
        {
            text = major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new PhoenixDataException(source, "header of a version 3.0 file is not valid UTF-8");
        }
        return ParseHeader(text, major, minor, 8 + lengthSize + headerLength, source);
    }

    /// Validates a header dict text ({'descr': …, 'fortran_order': …, 'shape': …}).
    public static NpyHeader ParseHeader(string dictText, int majorVersion, int minorVersion, long dataOffset, string source)
    {
        object? parsed;
        try
        {
            parsed = PythonLiteral.Parse(dictText);
        }
        catch (FormatException ex)
        {
            throw new PhoenixDataException(source, $"header is not a valid dictionary literal ({ex.Message}): {Abbreviate(dictText)}");
        }
        if (parsed is not Dictionary<string, object?> dict)
            throw new PhoenixDataException(source, $"header is not a dictionary: {Abbreviate(dictText)}");
        foreach (string key in HeaderKeys)
            if (!dict.ContainsKey(key))
                throw new PhoenixDataException(source, $"header lacks the key '{key}': {Abbreviate(dictText)}");
        if (dict.Keys.FirstOrDefault(k => !HeaderKeys.Contains(k, StringComparer.Ordinal)) is string extra)
            throw new PhoenixDataException(source, $"header has the key '{Abbreviate(extra)}', which numpy does not accept (a .npy header holds exactly 'descr', 'fortran_order' and 'shape'): {Abbreviate(dictText)}");

        var (type, bigEndian) = ParseDescr(dict["descr"], source);
        if (dict["fortran_order"] is not bool fortran)
            throw new PhoenixDataException(source, $"header 'fortran_order' must be True or False: {Abbreviate(dictText)}");
        int[] shape = ParseShape(dict["shape"], dictText, source);
        return new NpyHeader(majorVersion, minorVersion, new NpyFormat(majorVersion, type, bigEndian, fortran), shape, dataOffset);
    }

    private static (NpyElementType, bool) ParseDescr(object? descr, string source)
    {
        if (descr is List<object?>)
            throw new PhoenixDataException(source, $"structured dtypes (records with named fields) are not supported; save a plain {AcceptedText} array");
        if (descr is not string text)
            throw new PhoenixDataException(source, "header 'descr' must be a dtype string such as '<f4'");
        if (text.Length >= 2 && text[1] == 'O')
            throw new PhoenixDataException(source, $"object arrays (dtype '{text}') are not supported: they need Python pickle; save the features as a numeric array, e.g. arr.astype(np.float32)");
        return NpyDType.TryParse(text) ?? throw new PhoenixDataException(source, $"dtype '{text}' is not supported for features; accepted: {AcceptedText}; convert with arr.astype(np.float32)");
    }

    private static int[] ParseShape(object? value, string dictText, string source)
    {
        if (value is not List<object?> items || items.Count > MaxRank)
            throw new PhoenixDataException(source, $"header 'shape' must be a tuple of at most {MaxRank} non-negative integers: {Abbreviate(dictText)}");
        int[] shape = new int[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not long d || d < 0)
                throw new PhoenixDataException(source, $"header 'shape' must be a tuple of non-negative integers: {Abbreviate(dictText)}");
            if (d > int.MaxValue)
                throw new PhoenixDataException(source, $"header 'shape' dimension {i} is {d}, more than the {int.MaxValue} accepted per dimension; the file is damaged or not a feature array");
            shape[i] = (int)d;
        }
        try
        {
            _ = NpyArray.CountOf(shape);
        }
        catch (OverflowException)
        {
            throw new PhoenixDataException(source, $"shape {NpyArray.FormatShape(shape)} is too large: its number of values overflows 64 bits; the file is damaged or not a feature array");
        }
        return shape;
    }

    private static float[] ReadValues(Stream stream, int count, NpyHeader header, string source)
    {
        float[] values = new float[count];
        NpyFormat format = header.Format;
        if (format.ElementType == NpyElementType.Float32 && format.BigEndian != BitConverter.IsLittleEndian)
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
                throw TruncatedData(source, header, got);
            return values;
        }
        int itemSize = format.ItemSize;
        const int chunk = 8192;
        byte[] buffer = new byte[Math.Min(count, chunk) * itemSize];
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            int got = stream.ReadAtLeast(buffer.AsSpan(0, n * itemSize), n * itemSize, throwOnEndOfStream: false);
            if (got < n * itemSize)
                throw TruncatedData(source, header, (long)start * itemSize + got);
            for (int i = 0; i < n; i++)
                values[start + i] = DecodeValue(buffer.AsSpan(i * itemSize, itemSize), format);
        }
        return values;
    }

    private static float DecodeValue(ReadOnlySpan<byte> src, NpyFormat format) => (format.ElementType, format.BigEndian) switch
    {
        (NpyElementType.Float16, false) => (float)BinaryPrimitives.ReadHalfLittleEndian(src),
        (NpyElementType.Float16, true) => (float)BinaryPrimitives.ReadHalfBigEndian(src),
        (NpyElementType.Float32, false) => BinaryPrimitives.ReadSingleLittleEndian(src),
        (NpyElementType.Float32, true) => BinaryPrimitives.ReadSingleBigEndian(src),
        (NpyElementType.Float64, false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(src),
        _ => (float)BinaryPrimitives.ReadDoubleBigEndian(src),
    };

    private static PhoenixDataException TruncatedData(string source, NpyHeader header, long got)
        => new(source, TruncatedDataProblem(header, got));

    private static string TruncatedDataProblem(NpyHeader header, long available)
        => $"truncated: shape {header.ShapeText} of {NpyDType.Name(header.Format.ElementType)} needs {header.DataBytes} data bytes but only {available} follow the header";

    private static T WithFile<T>(string path, Func<FileStream, T> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PhoenixDataException(path, "file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(path, $"cannot be read: {ex.Message}", ex);
        }
        using (fs)
        {
            try
            {
                return read(fs);
            }
            catch (IOException ex)
            {
                throw new PhoenixDataException(path, $"cannot be read: {ex.Message}", ex);
            }
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "nothing (the file is empty)" : Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => $"{a} {b}");

    private static string NpzHint(ReadOnlySpan<byte> bytes)
        => bytes.Length >= 2 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K' ? "; this looks like a zip/.npz archive — extract the arrays and save each with np.save" : "";

    private static string Abbreviate(string text)
    {
        string trimmed = text.TrimEnd();
        return trimmed.Length <= 200 ? trimmed : trimmed[..200] + "…";
    }
}
