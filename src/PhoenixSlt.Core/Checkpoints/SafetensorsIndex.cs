using System.Text.Json;

namespace PhoenixSlt.Core.Checkpoints;

/// The index of a sharded Hugging Face checkpoint (<c>model.safetensors.index.json</c>):
/// <c>{"metadata": {"total_size": …}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", …}}</c>.
public sealed record SafetensorsIndex(string Path, IReadOnlyDictionary<string, string> WeightMap, long? TotalSize)
{
    /// The conventional file name of the index.
    public const string FileName = "model.safetensors.index.json";

    /// Shard file names in first-use order.
    public IReadOnlyList<string> ShardFiles => WeightMap.Values.Distinct(StringComparer.Ordinal).ToList();

    /// Reads and validates an index file: valid JSON, a weight_map of tensor name to shard file name, shard
    /// names without folders. <see cref="CheckpointFormatException"/> naming the file otherwise.
    public static SafetensorsIndex Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "file not found", e);
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, "the index must be a JSON object with a \"weight_map\"");
            if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, "missing \"weight_map\" object (tensor name -> shard file)");
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointFormatException(path, $"weight_map entry '{entry.Name}' must name a shard file, found {entry.Value.GetRawText()}");
                string shard = entry.Value.GetString()!;
                if (shard.Length == 0 || shard != System.IO.Path.GetFileName(shard) || shard is "." or "..")
                    throw new CheckpointFormatException(path, $"weight_map entry '{entry.Name}' names \"{shard}\"; shard files must be plain file names in the same folder");
                if (!weightMap.TryAdd(entry.Name, shard))
                    throw new CheckpointFormatException(path, $"weight_map names tensor '{entry.Name}' twice");
            }
            long? totalSize = root.TryGetProperty("metadata", out var metadata)
                && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("total_size", out var size)
                && size.TryGetInt64(out long value) ? value : null;
            return new SafetensorsIndex(path, weightMap, totalSize);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON ({e.Message})", e);
        }
    }
}
