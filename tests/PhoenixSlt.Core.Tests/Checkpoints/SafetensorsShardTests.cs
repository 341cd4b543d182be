using PhoenixSlt.Core.Checkpoints;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

public class SafetensorsShardTests
{
    private static void WriteShards(SafetensorsTestFiles files, string weightMapJson)
    {
        using var scope = NewDisposeScope();
        SafetensorsFile.Save(files.PathOf("model-00001-of-00002.safetensors"), [new("a", tensor(new float[] { 1, 2 }, [2]))]);
        SafetensorsFile.Save(files.PathOf("model-00002-of-00002.safetensors"), [new("b", tensor(new long[] { 7 }, [1]))]);
        File.WriteAllText(files.PathOf(SafetensorsIndex.FileName), $"{{\"metadata\":{{\"total_size\":24}},\"weight_map\":{weightMapJson}}}");
    }

    [Fact]
    public void Open_ShardedFolder_ReadsEveryTensorFromItsShard()
    {
        using var files = new SafetensorsTestFiles();
        WriteShards(files, "{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}");

        using var weights = SafetensorsWeights.Open(files.Folder);
        using var a = weights.Read("a");
        using var b = weights.Read("b");

        Assert.Equal(["a", "b"], weights.Names.Order());
        Assert.Equal(2, weights.Files.Count);
        Assert.Equal(new float[] { 1, 2 }, a.data<float>().ToArray());
        Assert.Equal(7L, b.item<long>());
        Assert.EndsWith("model-00002-of-00002.safetensors", weights.FileOf("b"));
    }

    [Fact]
    public void Open_IndexListsMissingShard_NamesShard()
    {
        using var files = new SafetensorsTestFiles();
        WriteShards(files, "{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00003-of-00003.safetensors\"}");

        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsWeights.Open(files.Folder));

        Assert.EndsWith(SafetensorsIndex.FileName, e.FilePath);
        Assert.Contains("shard \"model-00003-of-00003.safetensors\" listed in the weight_map does not exist", e.Problem);
    }

    [Fact]
    public void Open_IndexPutsTensorInWrongShard_SaysShardDoesNotContainIt()
    {
        using var files = new SafetensorsTestFiles();
        WriteShards(files, "{\"a\":\"model-00002-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}");

        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsWeights.Open(files.Folder));

        Assert.Equal("the weight_map puts tensor 'a' in \"model-00002-of-00002.safetensors\" but that shard does not contain it", e.Problem);
    }

    [Fact]
    public void Open_IndexShardPathEscapesFolder_IsRejected()
    {
        using var files = new SafetensorsTestFiles();
        WriteShards(files, "{\"a\":\"../model-00001-of-00002.safetensors\"}");

        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsWeights.Open(files.Folder));

        Assert.Contains("shard files must be plain file names in the same folder", e.Problem);
    }

    [Fact]
    public void Open_FolderWithoutWeights_SaysWhatIsMissing()
    {
        using var files = new SafetensorsTestFiles();

        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsWeights.Open(files.Folder));

        Assert.Equal(files.Folder, e.FilePath);
        Assert.StartsWith("no weights found: the folder has neither model.safetensors nor model.safetensors.index.json", e.Problem);
    }
}
