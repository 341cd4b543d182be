using System.Buffers.Binary;
using System.Text;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class NpyFileTests : IDisposable
{
    // Files written by numpy 1.24.2 (numpy.lib.format.write_array), base64-encoded:
    // a = np.array([[0.5, -1.25, 3.0], [1e-3, 65504.0, -0.0]], dtype='<f4')
    private const string NumpyCF4V1 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA/AACgvwAAQEBvEoM6AOB/RwAAAIA=";
    // np.asfortranarray(a.astype('>f2')), version=(2, 0)
    private const string NumpyFortranBigF2V2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc+ZjInLCAnZm9ydHJhbl9vcmRlcic6IFRydWUsICdzaGFwZSc6ICgyLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo4ABQZvQB7/0IAgAA=";
    // b = np.arange(24, dtype='<f8').reshape(2, 3, 4) / 8; np.asfortranarray(b), version=(3, 0)
    private const string NumpyFortranF8V3 = "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IFRydWUsICdzaGFwZSc6ICgyLCAzLCA0KSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAPg/AAAAAAAA4D8AAAAAAAAAQAAAAAAAAPA/AAAAAAAABEAAAAAAAADAPwAAAAAAAPo/AAAAAAAA5D8AAAAAAAABQAAAAAAAAPI/AAAAAAAABUAAAAAAAADQPwAAAAAAAPw/AAAAAAAA6D8AAAAAAAACQAAAAAAAAPQ/AAAAAAAABkAAAAAAAADYPwAAAAAAAP4/AAAAAAAA7D8AAAAAAAADQAAAAAAAAPY/AAAAAAAAB0A=";
    // b.astype('>f8'), version=(1, 0)
    private const string NumpyCBigF8V1 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDQpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAD/AAAAAAAAAP9AAAAAAAAA/2AAAAAAAAD/gAAAAAAAAP+QAAAAAAAA/6AAAAAAAAD/sAAAAAAAAP/AAAAAAAAA/8gAAAAAAAD/0AAAAAAAAP/YAAAAAAAA/+AAAAAAAAD/6AAAAAAAAP/wAAAAAAAA//gAAAAAAAEAAAAAAAAAAQAEAAAAAAABAAgAAAAAAAEADAAAAAAAAQAQAAAAAAABABQAAAAAAAEAGAAAAAAAAQAcAAAAAAAA=";
    // np.array(2.5, dtype='<f4') (a 0-d array)
    private const string NumpyScalar = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA";

    private static readonly float[] A = [0.5f, -1.25f, 3.0f, 1e-3f, 65504f, -0.0f];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] ArangeOver8(int n) => Enumerable.Range(0, n).Select(i => i / 8f).ToArray();

    [Fact]
    public void Encode_Float32Default_MatchesHandBuiltNumpyBytes()
    {
        // numpy ≥ 1.23: dict with sorted keys, then GROWTH_AXIS_MAX_DIGITS(21) - len("2") = 20 spaces, then
        // spaces and '\n' so magic(6)+version(2)+length(2)+header is a multiple of 64 → 128 bytes, length field 118.
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        string header = dict + new string(' ', 128 - 10 - dict.Length - 1) + "\n";
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(header));
        foreach (float v in A)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            expected.AddRange(b);
        }

        byte[] actual = NpyFile.Encode(new NpyArray(A, [2, 3]));

        Assert.Equal(128 + 24, actual.Length);
        Assert.Equal(expected.ToArray(), actual);
    }

    [Fact]
    public void WriteFloat32_SmallMatrix_ByteIdenticalToNumpy()
    {
        string path = _dir.File("a.npy");

        NpyFile.WriteFloat32(path, A, 2, 3);

        Assert.Equal(Convert.FromBase64String(NumpyCF4V1), File.ReadAllBytes(path));
    }

    [Fact]
    public void Encode_FortranBigEndianFloat16Version2_ByteIdenticalToNumpy()
    {
        var format = new NpyFormat(2, NpyElementType.Float16, BigEndian: true, FortranOrder: true);

        byte[] actual = NpyFile.Encode(new NpyArray(A, [2, 3]), format);

        Assert.Equal(Convert.FromBase64String(NumpyFortranBigF2V2), actual);
    }

    [Fact]
    public void Encode_FortranFloat64Version3_ByteIdenticalToNumpy()
    {
        var format = new NpyFormat(3, NpyElementType.Float64, FortranOrder: true);

        byte[] actual = NpyFile.Encode(new NpyArray(ArangeOver8(24), [2, 3, 4]), format);

        Assert.Equal(Convert.FromBase64String(NumpyFortranF8V3), actual);
    }

    [Fact]
    public void Encode_BigEndianFloat64Version1_ByteIdenticalToNumpy()
    {
        var format = new NpyFormat(1, NpyElementType.Float64, BigEndian: true);

        byte[] actual = NpyFile.Encode(new NpyArray(ArangeOver8(24), [2, 3, 4]), format);

        Assert.Equal(Convert.FromBase64String(NumpyCBigF8V1), actual);
    }

    [Fact]
    public void Encode_Scalar_ByteIdenticalToNumpy()
    {
        byte[] actual = NpyFile.Encode(new NpyArray([2.5f], []));

        Assert.Equal(Convert.FromBase64String(NumpyScalar), actual);
    }

    [Fact]
    public void Read_NumpyFloat32File_ReturnsValuesAndShape()
    {
        string path = _dir.WriteBytes("a.npy", Convert.FromBase64String(NumpyCF4V1));

        NpyArray array = NpyFile.Read(path);

        Assert.Equal([2, 3], array.Shape);
        Assert.Equal(A, array.Data);
    }

    [Fact]
    public void Read_NumpyFortranBigEndianFloat16_ReturnsCOrderValues()
    {
        string path = _dir.WriteBytes("f2.npy", Convert.FromBase64String(NumpyFortranBigF2V2));

        NpyArray array = NpyFile.Read(path);

        // values as numpy's a.astype('>f2') holds them: 1e-3 rounds to 0.0010004043579101562 in float16
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([0.5f, -1.25f, 3.0f, 0.0010004043579101562f, 65504f, -0.0f], array.Data);
        Assert.True(float.IsNegative(array.Data[5]));
    }

    [Fact]
    public void Read_NumpyFortranFloat64Version3_ReturnsCOrderValues()
    {
        string path = _dir.WriteBytes("f8.npy", Convert.FromBase64String(NumpyFortranF8V3));

        NpyArray array = NpyFile.Read(path);

        Assert.Equal([2, 3, 4], array.Shape);
        Assert.Equal(ArangeOver8(24), array.Data);
        Assert.Equal(13 / 8f, array[1, 0, 1]);
    }

    [Fact]
    public void Read_NumpyBigEndianFloat64_ReturnsValues()
    {
        string path = _dir.WriteBytes("be.npy", Convert.FromBase64String(NumpyCBigF8V1));

        NpyArray array = NpyFile.Read(path);

        Assert.Equal(ArangeOver8(24), array.Data);
    }

    [Fact]
    public void ReadHeader_NumpyFile_ReportsLayout()
    {
        string path = _dir.WriteBytes("f2.npy", Convert.FromBase64String(NumpyFortranBigF2V2));

        NpyHeader header = NpyFile.ReadHeader(path);

        Assert.Equal(2, header.MajorVersion);
        Assert.Equal(new NpyFormat(2, NpyElementType.Float16, true, true), header.Format);
        Assert.Equal(128, header.DataOffset);
        Assert.Equal(12, header.DataBytes);
    }

    public static TheoryData<int, NpyElementType, bool, bool> AllLayouts()
    {
        var data = new TheoryData<int, NpyElementType, bool, bool>();
        foreach (int version in new[] { 1, 2, 3 })
            foreach (NpyElementType type in Enum.GetValues<NpyElementType>())
                foreach (bool bigEndian in new[] { false, true })
                    foreach (bool fortran in new[] { false, true })
                        data.Add(version, type, bigEndian, fortran);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void WriteThenRead_EveryLayout_RoundTripsValuesAndLayout(int version, NpyElementType type, bool bigEndian, bool fortran)
    {
        // multiples of 1/8 below 2048 are exact in float16, float32 and float64
        float[] values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (i - 7) / 8f).ToArray();
        values[5] = float.NaN;
        values[6] = float.NegativeInfinity;
        var format = new NpyFormat(version, type, bigEndian, fortran);
        string path = _dir.File($"v{version}-{type}-{bigEndian}-{fortran}.npy");

        NpyFile.Write(path, new NpyArray(values, [2, 3, 4]), format);
        NpyArray back = NpyFile.Read(path);
        NpyHeader header = NpyFile.ReadHeader(path);

        Assert.Equal([2, 3, 4], back.Shape);
        Assert.Equal(values, back.Data);
        Assert.Equal(format, header.Format);
        Assert.Equal(0, header.DataOffset % NpyFile.ArrayAlign);
        Assert.Equal(header.DataOffset + 24 * format.ItemSize, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 0, 225 })]
    [InlineData(new[] { 2, 1, 3, 2 })]
    public void WriteThenRead_VariousShapes_RoundTrips(int[] shape)
    {
        int count = shape.Aggregate(1, (a, d) => a * d);
        float[] values = Enumerable.Range(0, count).Select(i => i * 0.25f).ToArray();
        string path = _dir.File("s.npy");

        NpyFile.Write(path, new NpyArray(values, shape), new NpyFormat(FortranOrder: true));
        NpyArray back = NpyFile.Read(path);

        Assert.Equal(shape, back.Shape);
        Assert.Equal(values, back.Data);
    }

    [Fact]
    public void Reorder_TwoByThree_GivesColumnMajorSequence()
    {
        // C order [[0,1,2],[3,4,5]] in column-major order is 0,3,1,4,2,5
        float[] fortran = NpyFile.Reorder([0, 1, 2, 3, 4, 5], [2, 3], toFortran: true);

        Assert.Equal([0f, 3, 1, 4, 2, 5], fortran);
        Assert.Equal([0f, 1, 2, 3, 4, 5], NpyFile.Reorder(fortran, [2, 3], toFortran: false));
    }

    [Fact]
    public void Read_Python2StyleHeaderWithLongSuffixAndDoubleQuotes_Parses()
    {
        string path = _dir.WriteBytes("py2.npy", NpyTestFiles.Raw("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 1L)}", new byte[8]));

        NpyArray array = NpyFile.Read(path);

        Assert.Equal([2, 1], array.Shape);
    }

    [Fact]
    public void Read_StreamWithoutSeek_ReadsValues()
    {
        byte[] bytes = Convert.FromBase64String(NumpyCF4V1);
        using var stream = new NonSeekableStream(bytes);

        NpyArray array = NpyFile.Read(stream, "stream");

        Assert.Equal(A, array.Data);
    }

    [Fact]
    public void NpyArray_RowAndIndexer_FollowCOrder()
    {
        var array = new NpyArray([0, 1, 2, 3, 4, 5], [2, 3]);

        Assert.Equal([3f, 4, 5], array.Row(1).ToArray());
        Assert.Equal(5f, array[1, 2]);
        Assert.Equal("(2, 3)", array.ShapeText);
        Assert.Throws<ArgumentException>(() => new NpyArray([1, 2], [3]));
    }
}
