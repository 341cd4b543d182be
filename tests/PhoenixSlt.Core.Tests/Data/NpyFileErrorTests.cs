using System.Buffers.Binary;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class NpyFileErrorTests : IDisposable
{
    private const string F4Dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] ValidFile() => NpyFile.Encode(new NpyArray([1, 2, 3, 4, 5, 6], [2, 3]));

    private PhoenixDataException ReadFails(string name, byte[] bytes)
    {
        string path = _dir.WriteBytes(name, bytes);
        var ex = Assert.Throws<PhoenixDataException>(() => NpyFile.Read(path));
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path + ": ", ex.Message);
        return ex;
    }

    [Fact]
    public void Read_MissingFile_SaysFileNotFound()
    {
        string path = _dir.File("nope.npy");

        var ex = Assert.Throws<PhoenixDataException>(() => NpyFile.Read(path));

        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public void Read_EmptyFile_SaysTruncated()
    {
        var ex = ReadFails("empty.npy", []);

        Assert.Contains("truncated: 0 bytes", ex.Problem);
    }

    [Fact]
    public void Read_FileCutInsideHeader_SaysTruncatedHeader()
    {
        byte[] bytes = ValidFile()[..40];

        var ex = ReadFails("cut.npy", bytes);

        Assert.Equal("truncated: the header declares 118 bytes but only 30 follow", ex.Problem);
    }

    [Fact]
    public void Read_FileCutInsideHeaderLength_SaysTruncated()
    {
        var ex = ReadFails("cut9.npy", ValidFile()[..9]);

        Assert.Contains("truncated", ex.Problem);
        Assert.Contains("header length", ex.Problem);
    }

    [Fact]
    public void Read_FileCutInsideData_SaysTruncatedData()
    {
        byte[] bytes = ValidFile();

        var ex = ReadFails("short.npy", bytes[..^4]);

        Assert.Equal("truncated: shape (2, 3) of float32 needs 24 data bytes but only 20 follow the header", ex.Problem);
    }

    [Fact]
    public void Read_NonSeekableStreamCutInsideData_SaysTruncatedData()
    {
        byte[] bytes = ValidFile();
        using var stream = new NonSeekableStream(bytes[..^6]);

        var ex = Assert.Throws<PhoenixDataException>(() => NpyFile.Read(stream, "upload.npy"));

        Assert.Equal("upload.npy: truncated: shape (2, 3) of float32 needs 24 data bytes but only 18 follow the header", ex.Message);
    }

    [Fact]
    public void Read_ExtraBytesAfterData_SaysSizeMismatch()
    {
        byte[] bytes = [.. ValidFile(), 0, 0, 0, 0];

        var ex = ReadFails("long.npy", bytes);

        Assert.Equal("shape/data size mismatch: shape (2, 3) of float32 needs 24 data bytes but 28 follow the header", ex.Problem);
    }

    [Fact]
    public void ReadHeaderCheckingSize_ExtraBytesAfterData_SaysSizeMismatchLikeRead()
    {
        string path = _dir.WriteBytes("long.npy", [.. ValidFile(), 0, 0, 0, 0]);

        var ex = Assert.Throws<PhoenixDataException>(() => NpyFile.ReadHeaderCheckingSize(path));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal("shape/data size mismatch: shape (2, 3) of float32 needs 24 data bytes but 28 follow the header", ex.Problem);
    }

    [Fact]
    public void ReadHeaderCheckingSize_FileCutInsideData_SaysTruncatedLikeRead()
    {
        string path = _dir.WriteBytes("short.npy", ValidFile()[..^4]);

        var ex = Assert.Throws<PhoenixDataException>(() => NpyFile.ReadHeaderCheckingSize(path));

        Assert.Equal("truncated: shape (2, 3) of float32 needs 24 data bytes but only 20 follow the header", ex.Problem);
    }

    [Fact]
    public void DataSizeProblem_ExactLength_NullAndOneByteOffEitherWay_Problem()
    {
        byte[] bytes = ValidFile();
        NpyHeader header = NpyFile.ReadHeader(new MemoryStream(bytes), "valid.npy");

        Assert.Null(NpyFile.DataSizeProblem(header, bytes.Length));
        Assert.StartsWith("truncated:", NpyFile.DataSizeProblem(header, bytes.Length - 1));
        Assert.StartsWith("shape/data size mismatch:", NpyFile.DataSizeProblem(header, bytes.Length + 1));
    }

    [Fact]
    public void Read_WrongMagic_SaysNotNpy()
    {
        var ex = ReadFails("text.npy", "hello world, this is no array"u8.ToArray());

        Assert.StartsWith("not a .npy file: it starts with 68 65 6C 6C 6F 20", ex.Problem);
    }

    [Fact]
    public void Read_ZipArchive_SuggestsExtracting()
    {
        var ex = ReadFails("a.npz", [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 0, 0]);

        Assert.Contains("not a .npy file", ex.Problem);
        Assert.Contains(".npz archive", ex.Problem);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Read_UnsupportedVersion_NamesVersion(int major, int minor)
    {
        byte[] bytes = ValidFile();
        bytes[6] = (byte)major;
        bytes[7] = (byte)minor;

        var ex = ReadFails("ver.npy", bytes);

        Assert.Equal($"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)", ex.Problem);
    }

    [Fact]
    public void Read_HugeDeclaredHeader_RejectedBeforeAllocating()
    {
        byte[] bytes = NpyTestFiles.Raw(F4Dict, new byte[24], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0xFFFF_FFF0);

        var ex = ReadFails("hostile.npy", bytes);

        Assert.Equal($"header declares {0xFFFF_FFF0u} bytes, more than the 65536 accepted; the file is damaged or not a feature array", ex.Problem);
    }

    [Fact]
    public void Read_ObjectDtype_SaysPickleNotSupported()
    {
        var ex = ReadFails("obj.npy", NpyTestFiles.Raw("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new byte[16]));

        Assert.StartsWith("object arrays (dtype '|O') are not supported", ex.Problem);
    }

    [Fact]
    public void Read_Int64Dtype_ListsAcceptedDtypes()
    {
        var ex = ReadFails("i8.npy", NpyTestFiles.Raw("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new byte[24]));

        Assert.StartsWith("dtype '<i8' is not supported for features; accepted: float16, float32 or float64", ex.Problem);
        Assert.Contains("'<f4'", ex.Problem);
    }

    [Fact]
    public void Read_StructuredDtype_SaysNotSupported()
    {
        var ex = ReadFails("rec.npy", NpyTestFiles.Raw("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[8]));

        Assert.StartsWith("structured dtypes", ex.Problem);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "header lacks the key 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", "header 'fortran_order' must be True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "header 'shape' must be a tuple of non-negative integers")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "header is not a valid dictionary literal")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", "header has the key 'x', which numpy does not accept (a .npy header holds exactly 'descr', 'fortran_order' and 'shape')")]
    [InlineData("{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False, 'extra': None}", "header has the key 'extra', which numpy does not accept")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 225)}", "header 'shape' dimension 0 is 4611686018427387904, more than the 2147483647 accepted per dimension")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647)}", "shape (2147483647, 2147483647, 2147483647) is too large: its number of values overflows 64 bits")]
    [InlineData("{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (2, 3)}", "header is not a valid dictionary literal")]
    [InlineData("['descr', '<f4']", "header is not a dictionary")]
    public void Read_BadHeaderDict_SaysWhatIsWrong(string dict, string expectedStart)
    {
        var ex = ReadFails("bad.npy", NpyTestFiles.Raw(dict, new byte[24]));

        Assert.StartsWith(expectedStart, ex.Problem);
    }

    [Fact]
    public void Read_ShapeLargerThanData_SaysTruncatedWithoutAllocating()
    {
        var ex = ReadFails("big.npy", NpyTestFiles.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 20000), }", new byte[24]));

        Assert.Equal("truncated: shape (100000, 20000) of float32 needs 8000000000 data bytes but only 24 follow the header", ex.Problem);
    }

    [Fact]
    public void Read_Version3HeaderWithInvalidUtf8_SaysNotUtf8()
    {
        byte[] bytes = NpyTestFiles.Raw(F4Dict, new byte[24], major: 3);
        bytes[14] = 0xFF;

        var ex = ReadFails("v3.npy", bytes);

        Assert.Equal("header of a version 3.0 file is not valid UTF-8", ex.Problem);
    }
}
