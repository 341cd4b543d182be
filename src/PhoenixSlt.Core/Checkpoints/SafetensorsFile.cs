using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Whole-file safetensors operations: read every tensor, read the header, write tensors (with metadata).
public static class SafetensorsFile
{
    /// Metadata written when the caller gives no "format" (Hugging Face loaders expect "pt").
    public static readonly IReadOnlyDictionary<string, string> DefaultMetadata = new Dictionary<string, string> { ["format"] = "pt" };

    /// Every tensor of <paramref name="path"/> by name (on CPU unless <paramref name="device"/> is given).
    public static Dictionary<string, Tensor> Load(string path, Device? device = null)
    {
        using var reader = SafetensorsReader.Open(path);
        return reader.ReadAll(device);
    }

    /// The validated header of <paramref name="path"/> (tensor names, dtypes, shapes, metadata).
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        return reader.Header;
    }

    /// Writes <paramref name="tensors"/> to <paramref name="path"/> (via a temporary file, replaced atomically).
    /// Tensors are stored widest dtype first, then by name, as the reference writer does; "format": "pt" is
    /// added to the metadata unless it names a format.
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.Select(kv => (Name: kv.Key, Tensor: kv.Value, DType: SafetensorsDTypes.FromScalarType(kv.Value.dtype))).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _, _) in entries)
        {
            if (string.IsNullOrEmpty(name) || name == SafetensorsHeader.MetadataKey)
                throw new ArgumentException($"invalid tensor name '{name}'", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"tensor name '{name}' appears twice", nameof(tensors));
        }
        entries.Sort((a, b) =>
        {
            int bySize = SafetensorsDTypes.ItemSize(b.DType).CompareTo(SafetensorsDTypes.ItemSize(a.DType));
            return bySize != 0 ? bySize : string.CompareOrdinal(a.Name, b.Name);
        });

        var allMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? DefaultMetadata)
            allMetadata[key] = value;
        if (!allMetadata.ContainsKey("format"))
            allMetadata["format"] = "pt";
        byte[] header = SafetensorsHeader.Serialize(entries.Select(e => (e.Name, e.DType, e.Tensor.shape)).ToList(), allMetadata);

        string fullPath = System.IO.Path.GetFullPath(path);
        string? folder = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        string temp = fullPath + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var (_, tensor, _) in entries)
                    WriteData(stream, tensor);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        if (tensor.numel() == 0)
            return;
        using var scope = NewDisposeScope();
        Tensor source = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        if (!source.is_contiguous())
            source = source.contiguous();
        long itemSize = source.ElementSize;
        long byteLength = source.numel() * itemSize;
        if (byteLength <= SafetensorsReader.ChunkBytes)
        {
            stream.Write(source.bytes);
            return;
        }
        var flat = source.view(-1);
        long step = SafetensorsReader.ChunkBytes / itemSize;
        long count = source.numel();
        for (long start = 0; start < count; start += step)
        {
            using var slice = flat.narrow(0, start, Math.Min(step, count - start));
            stream.Write(slice.bytes);
        }
    }
}
