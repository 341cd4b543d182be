using System.Buffers.Binary;
using System.Text;
using PhoenixSlt.Tests;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Hand-built safetensors files (header JSON + data bytes) for format and error tests, in a temporary folder
/// deleted on Dispose.
public sealed class SafetensorsTestFiles : IDisposable
{
    public SafetensorsTestFiles() => Folder = TestPaths.NewTempDir("phoenix-safetensors");

    public string Folder { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Folder, name);

    /// Writes 8-byte LE length + <paramref name="json"/> (UTF-8, unpadded) + <paramref name="data"/>; the length
    /// field can be overridden to fake corrupt headers.
    public string Write(string name, string json, byte[] data, ulong? declaredLength = null)
        => WriteBytes(name, Build(Encoding.UTF8.GetBytes(json), data, declaredLength));

    public string WriteBytes(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] Build(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// Little-endian bytes of float32 values.
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    /// Same shape, dtype and values (exact).
    public static bool Same(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
            return false;
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
