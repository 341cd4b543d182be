using System.Text;
using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Corrupt and truncated files: each fails with a <see cref="CheckpointFormatException"/> naming the file and
/// the problem.
public class SafetensorsErrorTests
{
    private const string OneTensor = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private static CheckpointFormatException OpenFails(string path)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsReader.Open(path).Dispose());
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void Open_ValidHandWrittenFile_ReadsValues()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.Write("ok.safetensors", OneTensor, SafetensorsTestFiles.Floats(1.5f, -3f));

        using var reader = SafetensorsReader.Open(path);
        using var w = reader.Read("w");

        Assert.Equal(new[] { 1.5f, -3f }, w.data<float>().ToArray());
        Assert.Empty(reader.Metadata);
    }

    [Fact]
    public void Open_MissingFile_SaysNotFound()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.PathOf("nope.safetensors"));
        Assert.Contains("file not found", e.Problem);
    }

    [Fact]
    public void Open_FileShorterThanLengthField_SaysTooShort()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.WriteBytes("short.safetensors", [1, 2, 3]));
        Assert.Equal("the file has 3 bytes, too short for the 8-byte header length of a safetensors file; it is truncated or not a safetensors file", e.Problem);
    }

    [Fact]
    public void Open_HeaderLengthBeyondFile_SaysTruncated()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.Write("h.safetensors", OneTensor, [], declaredLength: 5000));
        Assert.Equal($"the header length field says 5000 bytes but only {OneTensor.Length} bytes follow it; the file is truncated or not a safetensors file", e.Problem);
    }

    [Fact]
    public void Open_HeaderLengthAbsurd_SaysCorrupt()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.Write("h.safetensors", OneTensor, [], declaredLength: 0x3F80_0000_0000_0000));
        Assert.Contains("the header length field says 4575657221408423936 bytes, more than the 100000000 allowed", e.Problem);
    }

    [Fact]
    public void Open_PyTorchPickle_SaysHeaderDoesNotStartWithBrace()
    {
        using var files = new SafetensorsTestFiles();
        // A zip-based .pt renamed to .safetensors: "PK\x03\x04" ... read as a length, then garbage.
        byte[] bytes = [.. BitConverter.GetBytes(4UL), .. "PK\x03\x04"u8.ToArray()];
        var e = OpenFails(files.WriteBytes("pickle.safetensors", bytes));
        Assert.StartsWith("the header does not start with '{'", e.Problem);
    }

    [Fact]
    public void Open_HeaderNotJson_SaysInvalidJson()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.Write("bad.safetensors", "{\"w\": {\"dtype\": \"F32\",", []));
        Assert.StartsWith("the header is not valid JSON (", e.Problem);
        Assert.EndsWith("); the file is corrupt", e.Problem);
    }

    [Fact]
    public void Open_HeaderNotUtf8_SaysInvalidUtf8()
    {
        using var files = new SafetensorsTestFiles();
        byte[] header = [(byte)'{', 0xFF, 0xFE, (byte)'}'];
        var e = OpenFails(files.WriteBytes("utf.safetensors", SafetensorsTestFiles.Build(header, [])));
        Assert.Equal("the header is not valid UTF-8; the file is corrupt or not a safetensors file", e.Problem);
    }

    [Fact]
    public void Open_DataTruncated_NamesTensorOffsetsAndTruncation()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}";
        var e = OpenFails(files.Write("trunc.safetensors", json, new byte[10]));
        Assert.Equal("tensor 'b' needs data bytes [4, 16) but the data section has only 10 bytes (the header describes 16): offsets out of range, the file is truncated; re-download or re-export it", e.Problem);
    }

    [Fact]
    public void Open_OffsetsFarOutOfRange_SaysOutOfRange()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1000000,1000008]}}";
        var e = OpenFails(files.Write("range.safetensors", json, new byte[8]));
        Assert.Contains("tensor 'w' starts at data offset 1000000 but the data section starts at 0: it leaves a gap", e.Problem);
    }

    [Fact]
    public void Open_TrailingBytesAfterData_SaysUnexpectedBytes()
    {
        using var files = new SafetensorsTestFiles();
        var e = OpenFails(files.Write("tail.safetensors", OneTensor, new byte[12]));
        Assert.Equal("4 unexpected bytes follow the 8 data bytes described by the header; the file is corrupt", e.Problem);
    }

    [Fact]
    public void Open_SizeNotShapeTimesItemSize_NamesBothSizes()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}";
        var e = OpenFails(files.Write("size.safetensors", json, new byte[8]));
        Assert.Equal("tensor 'w': F16 [2, 3] needs 12 bytes but data_offsets [0, 8] span 8", e.Problem);
    }

    [Fact]
    public void Open_OverlappingTensors_SaysOverlap()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        var e = OpenFails(files.Write("overlap.safetensors", json, new byte[12]));
        Assert.Equal("tensor 'b' starts at data offset 4 but the previous tensor 'a' ends at 8: it overlaps; tensors must be contiguous and non-overlapping, so the header is corrupt", e.Problem);
    }

    [Fact]
    public void Open_UnknownDType_ListsSupportedDTypes()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"w\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var e = OpenFails(files.Write("dtype.safetensors", json, new byte[8]));
        Assert.Equal("tensor 'w': dtype \"F33\" is not a safetensors dtype (supported: BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64)", e.Problem);
    }

    [Fact]
    public void Open_NegativeShape_SaysNonNegativeIntegers()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
        var e = OpenFails(files.Write("neg.safetensors", json, new byte[8]));
        Assert.Equal("tensor 'w': \"shape\" must hold non-negative integers, found -2", e.Problem);
    }

    [Fact]
    public void Open_MetadataValueNotString_SaysSo()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"__metadata__\":{\"step\":3}}";
        var e = OpenFails(files.Write("meta.safetensors", json, []));
        Assert.Equal("'__metadata__' entry 'step' must be a string, found number", e.Problem);
    }

    [Fact]
    public void Open_DuplicateTensorName_SaysTwice()
    {
        using var files = new SafetensorsTestFiles();
        const string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        var e = OpenFails(files.Write("dup.safetensors", json, new byte[8]));
        Assert.Equal("the header names 'w' twice", e.Problem);
    }

    [Fact]
    public void Open_HeaderPaddedWithSpaces_IsAccepted()
    {
        using var files = new SafetensorsTestFiles();
        string path = files.WriteBytes("pad.safetensors", SafetensorsTestFiles.Build(Encoding.UTF8.GetBytes(OneTensor + "   "), SafetensorsTestFiles.Floats(1, 2)));

        using var reader = SafetensorsReader.Open(path);

        Assert.Equal(OneTensor.Length + 3, reader.Header.HeaderLength);
        Assert.Equal(["w"], reader.Names);
    }
}
