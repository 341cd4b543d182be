using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    [Fact]
    public void SaveThenLoad_EveryDType_PreservesDTypeShapeAndValues()
    {
        using var files = new SafetensorsTestFiles();
        using var scope = NewDisposeScope();
        var floats = new float[] { 1f, -2f, 0.5f, 1.25f, -0.125f, 3f };
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(floats, [2, 3]),
            ["f64"] = tensor(new double[] { 1e-300, -2.5, Math.PI }, [3]),
            ["f16"] = tensor(floats, [3, 2]).to(ScalarType.Float16),
            ["bf16"] = tensor(floats, [6]).to(ScalarType.BFloat16),
            ["i64"] = tensor(new long[] { long.MinValue, -1, 0, long.MaxValue }, [2, 2]),
            ["i32"] = tensor(new int[] { int.MinValue, 7, int.MaxValue }, [3]),
            ["i16"] = tensor(new short[] { -300, 300 }, [2]),
            ["i8"] = tensor(new sbyte[] { -128, 127 }, [2]),
            ["u8"] = tensor(new byte[] { 0, 255 }, [2]),
            ["bool"] = tensor(new[] { true, false, true }, [1, 3]),
            ["scalar"] = tensor(42.5f),
            ["empty"] = zeros([0, 4]),
        };
        string path = files.PathOf("all.safetensors");

        SafetensorsFile.Save(path, tensors, new Dictionary<string, string> { ["note"] = "ünïcode ✓" });
        var loaded = SafetensorsFile.Load(path);
        var header = SafetensorsFile.ReadHeader(path);

        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            var copy = loaded[name];
            Assert.Equal(original.dtype, copy.dtype);
            Assert.Equal(original.shape, copy.shape);
            Assert.True(SafetensorsTestFiles.Same(original, copy), $"values of '{name}' differ");
        }
        Assert.Equal("ünïcode ✓", header.Metadata["note"]);
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal(SafetensorsDType.BF16, header.Tensors.Single(t => t.Name == "bf16").DType);
        Assert.Empty(header.Tensors.Single(t => t.Name == "scalar").Shape);
    }

    [Fact]
    public void Save_OneFloatTensor_WritesTheByteLayoutOfTheFormat()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("a.safetensors");
        using var a = tensor(new float[] { 1f, 2f }, [2]);

        SafetensorsFile.Save(path, [new("a", a)]);
        byte[] bytes = File.ReadAllBytes(path);

        // Spec: u64 LE header length N, N bytes of JSON padded with spaces to a multiple of 8, raw LE data.
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int padded = (json.Length + 7) / 8 * 8;
        var expected = new List<byte>();
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        expected.AddRange(length);
        expected.AddRange(Encoding.ASCII.GetBytes(json.PadRight(padded, ' ')));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40 }); // 1.0f, 2.0f
        Assert.Equal(expected.ToArray(), bytes);
    }

    [Fact]
    public void Save_HalfPrecisionTensors_StoresIeeeAndBrainFloatBits()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("half.safetensors");
        using var scope = NewDisposeScope();
        var values = tensor(new float[] { 1f, -2f, 0.5f }, [3]);

        SafetensorsFile.Save(path, [new("h", values.to(ScalarType.Float16)), new("b", values.to(ScalarType.BFloat16))]);
        var header = SafetensorsFile.ReadHeader(path);
        byte[] data = File.ReadAllBytes(path)[(int)header.DataStart..];

        // Equal item sizes are ordered by name: "b" (bfloat16) first, then "h" (IEEE half).
        ushort[] words = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2 * i))).ToArray();
        Assert.Equal(new ushort[] { 0x3F80, 0xC000, 0x3F00, 0x3C00, 0xC000, 0x3800 }, words);
    }

    [Fact]
    public void Save_MixedDTypes_OrdersWidestFirstThenByNameWithHeaderPaddedToEight()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("order.safetensors");
        using var scope = NewDisposeScope();

        SafetensorsFile.Save(path, [new("z_bool", ones([3], ScalarType.Bool)), new("b_f32", ones([1])), new("a_f32", ones([2])), new("i64", ones([1], ScalarType.Int64))]);
        var header = SafetensorsFile.ReadHeader(path);
        byte[] raw = File.ReadAllBytes(path);
        string json = Encoding.UTF8.GetString(raw, 8, (int)header.HeaderLength);

        Assert.Equal(["i64", "a_f32", "b_f32", "z_bool"], header.Names);
        Assert.Equal(0, header.HeaderLength % 8);
        Assert.Equal(json.TrimEnd(' ').Length, JsonDocument.Parse(json).RootElement.GetRawText().Length);
        Assert.Equal(8 + 4 + 8 + 3, header.DataLength);
    }

    [Fact]
    public void SaveThenLoad_TensorLargerThanOneReadChunk_RoundTripsExactly()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("big.safetensors");
        long count = SafetensorsReaderChunk.Elements + 12345; // crosses the chunk boundary of the reader and writer
        using var big = arange(count, ScalarType.Int32);

        SafetensorsFile.Save(path, [new("big", big)]);
        using var reader = SafetensorsReader.Open(path);
        using var back = reader.Read("big");

        Assert.True(SafetensorsTestFiles.Same(big, back));
    }

    [Fact]
    public void ReadInto_FileHalfPrecisionIntoFloatTensor_ConvertsValues()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("h.safetensors");
        using var scope = NewDisposeScope();
        SafetensorsFile.Save(path, [new("w", tensor(new float[] { 0.5f, -1.5f }, [2]).to(ScalarType.Float16))]);
        var destination = zeros([2]);

        using (var reader = SafetensorsReader.Open(path))
            reader.ReadInto("w", destination);

        Assert.Equal(new[] { 0.5f, -1.5f }, destination.data<float>().ToArray());
    }

    [Fact]
    public void ReadInto_ShapeDiffersFromDestination_NamesTensorAndBothShapes()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.PathOf("s.safetensors");
        using var scope = NewDisposeScope();
        SafetensorsFile.Save(path, [new("w", zeros([2, 3]))]);
        using var reader = SafetensorsReader.Open(path);

        var e = Assert.Throws<CheckpointFormatException>(() => reader.ReadInto("w", zeros([3, 2])));

        Assert.Contains(path, e.Message);
        Assert.Contains("'w' has shape [2, 3] but the model expects [3, 2]", e.Message);
    }

    /// 64 MiB of int32: one reader chunk.
    private static class SafetensorsReaderChunk
    {
        public const long Elements = 64L * 1024 * 1024 / 4;
    }
}
