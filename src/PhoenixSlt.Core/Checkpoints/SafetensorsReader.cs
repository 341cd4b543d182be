using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Reads tensors from one safetensors file on demand (the header is parsed and validated on open; data is read
/// tensor by tensor straight into TorchSharp memory, so files larger than 2 GB work). Not thread-safe.
public sealed class SafetensorsReader : IDisposable
{
    /// Largest slice copied in one read call (keeps each Span well below 2 GB).
    internal const long ChunkBytes = 64L * 1024 * 1024;

    private readonly FileStream _stream;

    private SafetensorsReader(string path, FileStream stream, SafetensorsHeader header)
    {
        Path = path;
        _stream = stream;
        Header = header;
    }

    public string Path { get; }

    public SafetensorsHeader Header { get; }

    public IEnumerable<string> Names => Header.Names;

    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// Opens and validates <paramref name="path"/>; <see cref="CheckpointFormatException"/> if it is missing,
    /// unreadable, corrupt or truncated.
    public static SafetensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "file not found; check the path of the weights", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot open the file ({e.Message})", e);
        }
        try
        {
            var header = SafetensorsHeader.Read(stream, stream.Length, path);
            return new SafetensorsReader(path, stream, header);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => Header.Contains(name);

    /// The header entry of <paramref name="name"/>; <see cref="KeyNotFoundException"/> naming the file if absent.
    public SafetensorsTensorInfo Info(string name)
        => Header.TryGet(name, out var info) ? info : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    /// A new CPU tensor (or on <paramref name="device"/>) with the stored dtype and shape.
    public Tensor Read(string name, Device? device = null)
    {
        var info = Info(name);
        var tensor = empty(info.Shape, SafetensorsDTypes.ToScalarType(info.DType));
        try
        {
            Fill(info, tensor);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        if (device is null || device.type == DeviceType.CPU)
            return tensor;
        using (tensor)
            return tensor.to(device);
    }

    /// Copies the stored tensor into <paramref name="destination"/> (same shape required; the dtype is
    /// converted and the device changed when they differ). Reads straight into the destination's memory when it
    /// is a contiguous CPU tensor of the stored dtype.
    public void ReadInto(string name, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = Info(name);
        if (!info.Shape.SequenceEqual(destination.shape))
            throw new CheckpointFormatException(Path, $"tensor '{name}' has shape {info.ShapeText} but the model expects [{string.Join(", ", destination.shape)}]; the weights belong to a different configuration");
        bool direct = destination.device_type == DeviceType.CPU
            && destination.dtype == SafetensorsDTypes.ToScalarType(info.DType)
            && destination.is_contiguous();
        using var noGrad = no_grad();
        if (direct)
        {
            Fill(info, destination);
            return;
        }
        using var staged = Read(name);
        destination.copy_(staged);
    }

    /// Every tensor of the file, by name.
    public Dictionary<string, Tensor> ReadAll(Device? device = null)
        => Header.Tensors.ToDictionary(t => t.Name, t => Read(t.Name, device), StringComparer.Ordinal);

    public void Dispose() => _stream.Dispose();

    private void Fill(SafetensorsTensorInfo info, Tensor destination)
    {
        if (info.ByteLength == 0)
            return;
        _stream.Position = Header.DataStart + info.Begin;
        try
        {
            if (info.ByteLength <= ChunkBytes)
            {
                _stream.ReadExactly(destination.bytes);
                return;
            }
            using var flat = destination.view(-1);
            long itemSize = SafetensorsDTypes.ItemSize(info.DType);
            long step = ChunkBytes / itemSize;
            for (long start = 0; start < info.ElementCount; start += step)
            {
                using var slice = flat.narrow(0, start, Math.Min(step, info.ElementCount - start));
                _stream.ReadExactly(slice.bytes);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException(Path, $"tensor '{info.Name}': the file ended while reading its data; it is truncated (was it changed while open?)", e);
        }
    }
}
