using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Tests;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Reads the files written by the reference implementation (tests/fixtures/mbart-tiny).
public class SafetensorsFixtureTests
{
    private static readonly string Expected = TestPaths.Fixture("mbart-tiny", "expected.safetensors");
    private static readonly string Model = TestPaths.Fixture("mbart-tiny", "model.safetensors");

    [Fact]
    public void ReadHeader_ExpectedFixture_MatchesTheTensorIndexOfExpectedJson()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("mbart-tiny", "expected.json")));
        var index = json.RootElement.GetProperty("tensors");

        var header = SafetensorsFile.ReadHeader(Expected);

        Assert.Equal(index.EnumerateObject().Select(p => p.Name).Order(), header.Names.Order());
        foreach (var entry in index.EnumerateObject())
        {
            Assert.True(header.TryGet(entry.Name, out var info));
            string dtype = entry.Value.GetProperty("dtype").GetString() switch { "int64" => "I64", "float32" => "F32", var other => other! };
            Assert.Equal(dtype, SafetensorsDTypes.Name(info.DType));
            Assert.Equal(entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), info.Shape);
        }
        Assert.Equal("pt", header.Metadata["format"]);
    }

    [Fact]
    public void Load_ExpectedFixture_AttentionMaskOfGroupCHasLengthsSevenAndFive()
    {
        var tensors = SafetensorsFile.Load(Expected);
        using var scope = NewDisposeScope();
        foreach (var t in tensors.Values)
            t.MoveToOtherDisposeScope(scope);

        // README: "c_attention_mask: row i has lengths [7, 5] ones then zeros".
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, tensors["c_attention_mask"].data<long>().ToArray());
        // a_attention_mask marks exactly the non-pad (id 1) tokens of the right-padded a_input_ids.
        Assert.True(SafetensorsTestFiles.Same(tensors["a_input_ids"].ne(1).to(ScalarType.Int64), tensors["a_attention_mask"]));
    }

    [Fact]
    public void ReadHeader_ModelFixture_HoldsTheStateDictKeysListedByExpectedJson()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("mbart-tiny", "expected.json")));
        var fileKeys = json.RootElement.GetProperty("checks").GetProperty("file_keys").EnumerateArray().Select(e => e.GetString()!);

        var header = SafetensorsFile.ReadHeader(Model);

        Assert.Equal(96, header.Tensors.Count);
        Assert.Equal(fileKeys.Order(StringComparer.Ordinal), header.Names.Order(StringComparer.Ordinal));
        Assert.All(header.Tensors, t => Assert.Equal(SafetensorsDType.F32, t.DType));
        Assert.Equal([130L, 64L], header.Tensors.Single(t => t.Name == "model.encoder.embed_positions.weight").Shape);
    }

    [Fact]
    public void SaveThenLoad_ModelFixture_RewrittenFileHasIdenticalTensors()
    {
        using var files = new SafetensorsTestFiles();
        string copy = files.PathOf("copy.safetensors");
        var original = SafetensorsFile.Load(Model);

        SafetensorsFile.Save(copy, original);
        var again = SafetensorsFile.Load(copy);

        Assert.All(original, kv => Assert.True(SafetensorsTestFiles.Same(kv.Value, again[kv.Key]), kv.Key));
        Assert.Equal(new FileInfo(Model).Length, new FileInfo(copy).Length);
    }
}
