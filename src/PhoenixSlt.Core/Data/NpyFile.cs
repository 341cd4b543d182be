using System.Buffers.Binary;
using System.Text;

namespace PhoenixSlt.Core.Data;

/// NumPy .npy files (format versions 1.0–3.0). See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
public static partial class NpyFile
{
    /// Writes a little-endian float32, C-order, version 1.0 .npy file.
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, params int[] shape)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length)
            throw new ArgumentException($"shape ({string.Join(",", shape)}) holds {count} values but {data.Length} were given", nameof(shape));
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = 10 + dict.Length + 1; // magic(6)+version(2)+len(2)+dict+'\n'
        int pad = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> pre = stackalloc byte[10];
        pre[0] = 0x93; "NUMPY"u8.CopyTo(pre[1..]); pre[6] = 1; pre[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], (ushort)header.Length);
        fs.Write(pre);
        fs.Write(Encoding.ASCII.GetBytes(header));
        if (BitConverter.IsLittleEndian)
            fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
        else
        {
            Span<byte> b = stackalloc byte[4];
            foreach (float v in data) { BinaryPrimitives.WriteSingleLittleEndian(b, v); fs.Write(b); }
        }
    }
}
