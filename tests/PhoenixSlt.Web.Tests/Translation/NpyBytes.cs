using System.Buffers.Binary;
using System.Text;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Tests.Translation;

/// .npy file contents for upload tests: valid arrays through Core's writer, broken ones byte by byte.
public static class NpyBytes
{
    public static byte[] Keypoints(int frames, float value = 0.25f, bool varying = true) => Array2(frames, FeatureSpec.KeypointDim, value, varying: varying);

    public static byte[] Siglip(int frames, float value = 0.5f, bool varying = true) => Array2(frames, FeatureSpec.SiglipDim, value, varying: varying);

    /// Values <paramref name="value"/> + (i mod 7) · 0.01, or <paramref name="value"/> everywhere when not varying.
    public static byte[] Array2(int rows, int columns, float value, NpyFormat? format = null, bool varying = true)
    {
        float[] data = new float[rows * columns];
        for (int i = 0; i < data.Length; i++)
            data[i] = value + (varying ? (i % 7) * 0.01f : 0f);
        return NpyFile.Encode(new NpyArray(data, [rows, columns]), format);
    }

    /// A version-1 file with header dict <paramref name="dict"/> followed by <paramref name="data"/>.
    public static byte[] Raw(string dict, byte[] data, byte major = 1)
    {
        string header = dict + "\n";
        var bytes = new List<byte>();
        bytes.AddRange(NpyFile.Magic.ToArray());
        bytes.Add(major);
        bytes.Add(0);
        byte[] length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] WithValue(byte[] npy, int index, float value)
    {
        byte[] copy = (byte[])npy.Clone();
        NpyHeader header = NpyFile.ReadHeader(new MemoryStream(copy), "test");
        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan((int)header.DataOffset + index * 4), value);
        return copy;
    }
}
