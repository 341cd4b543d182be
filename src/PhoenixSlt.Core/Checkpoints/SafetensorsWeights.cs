using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// The weights of a checkpoint as one name space: a single <c>model.safetensors</c> or the shards listed by a
/// <c>model.safetensors.index.json</c>. Every shard's header is validated on open. Not thread-safe.
public sealed class SafetensorsWeights : IDisposable
{
    /// The conventional single-file name.
    public const string SingleFileName = "model.safetensors";

    private readonly Dictionary<string, SafetensorsReader> _owner;
    private readonly List<SafetensorsReader> _readers;

    private SafetensorsWeights(string source, List<SafetensorsReader> readers, Dictionary<string, SafetensorsReader> owner)
    {
        Source = source;
        _readers = readers;
        _owner = owner;
    }

    /// The file (single file or index) the weights were opened from.
    public string Source { get; }

    /// Tensor names (shard order, then data order).
    public IEnumerable<string> Names => _owner.Keys;

    public IReadOnlyList<string> Files => _readers.Select(r => r.Path).ToList();

    /// Opens <paramref name="path"/>: a folder (holding model.safetensors or model.safetensors.index.json),
    /// a .safetensors file, or an index .json file.
    public static SafetensorsWeights Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            string single = System.IO.Path.Combine(path, SingleFileName);
            string index = System.IO.Path.Combine(path, SafetensorsIndex.FileName);
            if (File.Exists(single))
                return OpenFile(single);
            if (File.Exists(index))
                return OpenIndex(index);
            throw new CheckpointFormatException(path, $"no weights found: the folder has neither {SingleFileName} nor {SafetensorsIndex.FileName} (PyTorch .bin checkpoints must be converted to safetensors first)");
        }
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(path) : OpenFile(path);
    }

    public bool Contains(string name) => _owner.ContainsKey(name);

    public SafetensorsTensorInfo Info(string name) => Reader(name).Info(name);

    /// The file holding <paramref name="name"/>.
    public string FileOf(string name) => Reader(name).Path;

    public Tensor Read(string name, Device? device = null) => Reader(name).Read(name, device);

    /// See <see cref="SafetensorsReader.ReadInto"/>.
    public void ReadInto(string name, Tensor destination) => Reader(name).ReadInto(name, destination);

    public void Dispose()
    {
        foreach (var reader in _readers)
            reader.Dispose();
    }

    private SafetensorsReader Reader(string name)
        => _owner.TryGetValue(name, out var reader) ? reader : throw new KeyNotFoundException($"{Source}: no tensor named '{name}'");

    private static SafetensorsWeights OpenFile(string file)
    {
        var reader = SafetensorsReader.Open(file);
        var owner = reader.Names.ToDictionary(n => n, _ => reader, StringComparer.Ordinal);
        return new SafetensorsWeights(file, [reader], owner);
    }

    private static SafetensorsWeights OpenIndex(string indexPath)
    {
        var index = SafetensorsIndex.Read(indexPath);
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        var readers = new List<SafetensorsReader>();
        try
        {
            var byFile = new Dictionary<string, SafetensorsReader>(StringComparer.Ordinal);
            foreach (string shard in index.ShardFiles)
            {
                string shardPath = System.IO.Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointFormatException(indexPath, $"shard \"{shard}\" listed in the weight_map does not exist next to the index; download every shard");
                var reader = SafetensorsReader.Open(shardPath);
                readers.Add(reader);
                byFile[shard] = reader;
            }
            var owner = new Dictionary<string, SafetensorsReader>(StringComparer.Ordinal);
            foreach (var (name, shard) in index.WeightMap)
            {
                var reader = byFile[shard];
                if (!reader.Contains(name))
                    throw new CheckpointFormatException(indexPath, $"the weight_map puts tensor '{name}' in \"{shard}\" but that shard does not contain it");
                owner[name] = reader;
            }
            return new SafetensorsWeights(indexPath, readers, owner);
        }
        catch
        {
            foreach (var reader in readers)
                reader.Dispose();
            throw;
        }
    }
}
