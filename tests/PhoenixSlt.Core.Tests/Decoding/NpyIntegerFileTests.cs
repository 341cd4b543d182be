using System.Text;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Decoding;

/// Integer .npy files for token ids and masks (numpy's format: magic, version, header dict, raw data).
public sealed class NpyIntegerFileTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("phoenix-npy-int");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteInt64_ThenRead_RoundTrips()
    {
        string path = Path.Combine(_dir, "ids.npy");
        long[] ids = [1003, 17, 2, 1, long.MaxValue, -5];

        NpyIntegerFile.WriteInt64(path, ids, 2, 3);
        var read = NpyIntegerFile.Read(path);

        Assert.Equal(ids, read.Data);
        Assert.Equal([2, 3], read.Shape);
        Assert.Equal(0, (new FileInfo(path).Length - 8 * ids.Length) % 64); // data starts 64-byte aligned
    }

    [Fact]
    public void Read_BigEndianInt32FortranOrder_ConvertsToCOrder()
    {
        // shape (2, 3) in Fortran order stores column by column: [[0,1,2],[3,4,5]] → 0 3 1 4 2 5
        string path = Write("f.npy", "'>i4'", fortran: true, "(2, 3)", [0, 3, 1, 4, 2, 5], v => BigEndianInt32(v));

        var read = NpyIntegerFile.Read(path);

        Assert.Equal([0L, 1, 2, 3, 4, 5], read.Data);
    }

    [Fact]
    public void Read_BoolMask_ZeroAndOne()
    {
        string path = Write("mask.npy", "'|b1'", fortran: false, "(4,)", [1, 0, 1, 1], v => [(byte)v]);

        Assert.Equal([1L, 0, 1, 1], NpyIntegerFile.Read(path).Data);
    }

    [Fact]
    public void Read_Float32WholeNumbers_ReadAsIntegers()
    {
        string path = Path.Combine(_dir, "mask.npy");
        NpyFile.WriteFloat32(path, [1f, 1f, 0f, 1003f], 2, 2);

        var read = NpyIntegerFile.Read(path);

        Assert.Equal([1L, 1, 0, 1003], read.Data);
        Assert.Equal([2, 2], read.Shape);
    }

    [Fact]
    public void Read_Float32Fraction_SaysValuesMustBeIntegers()
    {
        string path = Path.Combine(_dir, "bad.npy");
        NpyFile.WriteFloat32(path, [1f, 0.5f], 2);

        var e = Assert.Throws<PhoenixDataException>(() => NpyIntegerFile.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("whole number", e.Message);
    }

    [Fact]
    public void Read_UnsupportedDtype_NamesDtypeAndConversion()
    {
        string path = Write("c.npy", "'<c8'", fortran: false, "(1,)", [0], _ => new byte[8]);

        var e = Assert.Throws<PhoenixDataException>(() => NpyIntegerFile.Read(path));

        Assert.Contains("'<c8'", e.Message);
        Assert.Contains("astype(np.int64)", e.Message);
    }

    [Fact]
    public void Read_Truncated_SaysHowManyBytes()
    {
        string path = Write("t.npy", "'<i8'", fortran: false, "(3,)", [1, 2], v => BitConverter.GetBytes((long)v));

        var e = Assert.Throws<PhoenixDataException>(() => NpyIntegerFile.Read(path));

        Assert.Contains("24 data bytes", e.Message);
    }

    [Fact]
    public void Read_MissingFile_SaysNotFound()
    {
        var e = Assert.Throws<PhoenixDataException>(() => NpyIntegerFile.Read(Path.Combine(_dir, "none.npy")));

        Assert.Contains("not found", e.Message);
    }

    /// A version 1.0 file with the given header fields and items.
    private string Write(string name, string descr, bool fortran, string shape, int[] values, Func<int, byte[]> encode)
    {
        string dict = $"{{'descr': {descr}, 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int padding = 64 - (10 + dict.Length + 1) % 64;
        byte[] header = Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        stream.Write(header);
        foreach (int v in values)
            stream.Write(encode(v));
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, stream.ToArray());
        return path;
    }

    private static byte[] BigEndianInt32(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
}
