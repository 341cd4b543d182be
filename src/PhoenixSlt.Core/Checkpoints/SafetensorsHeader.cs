using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace PhoenixSlt.Core.Checkpoints;

/// The parsed and validated JSON header of a safetensors file: tensor entries (in data order), the optional
/// string-to-string <c>__metadata__</c>, and where the data section starts.
/// Format: 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8
/// by writers), then the raw little-endian tensor data, tensors back to back.
public sealed class SafetensorsHeader
{
    /// Largest header accepted (the limit of the reference implementation).
    public const long MaxHeaderLength = 100_000_000;

    /// The key of the metadata entry.
    public const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsHeader(IReadOnlyList<SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long headerLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        HeaderLength = headerLength;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// Tensor entries ordered by their position in the data section.
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// N, the JSON length (padding included).
    public long HeaderLength { get; }

    /// Offset of the first data byte in the file (8 + N).
    public long DataStart => 8 + HeaderLength;

    /// Size of the data section described by the header.
    public long DataLength => Tensors.Count == 0 ? 0 : Tensors[^1].End;

    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out SafetensorsTensorInfo info) => _byName.TryGetValue(name, out info!);

    /// Reads and validates the header of <paramref name="stream"/> (positioned at the file start) whose total
    /// length is <paramref name="fileLength"/>; <paramref name="source"/> names the file in problems.
    /// Throws <see cref="CheckpointFormatException"/> for any inconsistency, including a data section that is
    /// shorter (truncated file) or longer (trailing bytes) than the tensors described.
    public static SafetensorsHeader Read(Stream stream, long fileLength, string source)
    {
        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        if (got < 8)
            throw Problem(source, $"the file has {got} bytes, too short for the 8-byte header length of a safetensors file; it is truncated or not a safetensors file");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > MaxHeaderLength)
            throw Problem(source, $"the header length field says {declared} bytes, more than the {MaxHeaderLength} allowed; the file is corrupt or not a safetensors file");
        long headerLength = (long)declared;
        if (8 + headerLength > fileLength)
            throw Problem(source, $"the header length field says {headerLength} bytes but only {fileLength - 8} bytes follow it; the file is truncated or not a safetensors file");

        byte[] json = new byte[headerLength];
        stream.ReadExactly(json);
        var header = Parse(json, source, headerLength);
        long available = fileLength - header.DataStart;
        CheckDataLength(header, available, source);
        return header;
    }

    /// Parses and validates header JSON bytes (without the length prefix); does not look at the data section.
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string source, long headerLength)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(json);
        }
        catch (DecoderFallbackException)
        {
            throw Problem(source, "the header is not valid UTF-8; the file is corrupt or not a safetensors file");
        }
        if (!text.StartsWith('{'))
            throw Problem(source, $"the header does not start with '{{' (it starts with {Quote(text)}); the file is corrupt or not a safetensors file");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Problem(source, $"the header is not valid JSON ({e.Message}); the file is corrupt", e);
        }

        using (document)
        {
            var tensors = new List<SafetensorsTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Problem(source, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata, source);
                else
                    tensors.Add(ReadEntry(property.Name, property.Value, source));
            }
            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckLayout(tensors, source);
            return new SafetensorsHeader(tensors, metadata, headerLength);
        }
    }

    /// Header bytes (JSON padded with spaces to a multiple of 8, without the length prefix) for tensors laid out
    /// back to back in the given order.
    public static byte[] Serialize(IReadOnlyList<(string Name, SafetensorsDType DType, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape) in tensors)
            {
                long size = checked(shape.Aggregate(1L, (n, d) => n * d) * SafetensorsDTypes.ItemSize(dtype));
                writer.WriteStartObject(name);
                writer.WriteString("dtype", SafetensorsDTypes.Name(dtype));
                writer.WriteStartArray("shape");
                foreach (long d in shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size;
            }
            writer.WriteEndObject();
        }
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        for (int i = length; i < padded; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Problem(source, $"'{MetadataKey}' must be a JSON object of strings, found {Kind(element)}");
        foreach (JsonProperty item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Problem(source, $"'{MetadataKey}' entry '{item.Name}' must be a string, found {Kind(item.Value)}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsTensorInfo ReadEntry(string name, JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Problem(source, $"tensor '{name}': entry must be a JSON object with dtype, shape and data_offsets, found {Kind(element)}");
        if (!element.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Problem(source, $"tensor '{name}': missing or non-string \"dtype\"");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out SafetensorsDType dtype))
        {
            string why = SafetensorsDTypes.IsKnownUnsupported(dtypeName) ? "is not supported" : "is not a safetensors dtype";
            throw Problem(source, $"tensor '{name}': dtype \"{dtypeName}\" {why} (supported: BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64)");
        }
        long[] shape = ReadIntegers(element, "shape", name, source);
        long[] offsets = ReadIntegers(element, "data_offsets", name, source);
        if (offsets.Length != 2)
            throw Problem(source, $"tensor '{name}': \"data_offsets\" must hold 2 numbers [begin, end], found {offsets.Length}");
        if (offsets[1] < offsets[0])
            throw Problem(source, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] end before they begin");
        long expectedBytes;
        try
        {
            expectedBytes = checked(shape.Aggregate(1L, (n, d) => checked(n * d)) * SafetensorsDTypes.ItemSize(dtype));
        }
        catch (OverflowException)
        {
            throw Problem(source, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large");
        }
        var info = new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        if (info.ByteLength != expectedBytes)
            throw Problem(source, $"tensor '{name}': {dtypeName} {info.ShapeText} needs {expectedBytes} bytes but data_offsets [{info.Begin}, {info.End}] span {info.ByteLength}");
        return info;
    }

    private static long[] ReadIntegers(JsonElement element, string property, string name, string source)
    {
        if (!element.TryGetProperty(property, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            throw Problem(source, $"tensor '{name}': missing or non-array \"{property}\"");
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
                throw Problem(source, $"tensor '{name}': \"{property}\" must hold non-negative integers, found {item.GetRawText()}");
            values[i++] = value;
        }
        return values;
    }

    /// Tensors (sorted by Begin) must tile [0, DataLength) exactly: no gaps, no overlaps.
    private static void CheckLayout(List<SafetensorsTensorInfo> tensors, string source)
    {
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.Begin != expected)
            {
                string where = previous is null ? "the data section starts at 0" : $"the previous tensor '{previous.Name}' ends at {previous.End}";
                string kind = t.Begin < expected ? "overlaps" : "leaves a gap";
                throw Problem(source, $"tensor '{t.Name}' starts at data offset {t.Begin} but {where}: it {kind}; tensors must be contiguous and non-overlapping, so the header is corrupt");
            }
            expected = t.End;
            previous = t;
        }
    }

    private static void CheckDataLength(SafetensorsHeader header, long available, string source)
    {
        long needed = header.DataLength;
        if (available < needed)
        {
            var first = header.Tensors.First(t => t.End > available);
            throw Problem(source, $"tensor '{first.Name}' needs data bytes [{first.Begin}, {first.End}) but the data section has only {available} bytes (the header describes {needed}): offsets out of range, the file is truncated; re-download or re-export it");
        }
        if (available > needed)
            throw Problem(source, $"{available - needed} unexpected bytes follow the {needed} data bytes described by the header; the file is corrupt");
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Quote(string text) => text.Length == 0 ? "nothing" : $"\"{(text.Length > 16 ? text[..16] + "…" : text)}\"";

    private static CheckpointFormatException Problem(string source, string problem, Exception? inner = null) => new(source, problem, inner);
}
