using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Checkpoints;

/// Checkpoint folders under one root (e.g. checkpoints/): atomic save, listing (recursive, newest first),
/// loading and deletion. See <see cref="CheckpointFolder"/> for the folder layout.
public sealed class CheckpointStore
{
    private readonly TimeProvider _time;

    public CheckpointStore(string root, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _time = time ?? TimeProvider.System;
    }

    /// Full path of the root folder.
    public string Root { get; }

    /// Full path of <paramref name="name"/> (a relative folder path such as "run-3/epoch-0005") under the root;
    /// <see cref="ArgumentException"/> for names that are rooted or leave the root.
    public string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (Path.IsPathRooted(name))
            throw new ArgumentException($"checkpoint name '{name}' must be relative to the store root {Root}", nameof(name));
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(Root, name)));
        if (!IsUnderRoot(full))
            throw new ArgumentException($"checkpoint name '{name}' leaves the store root {Root}", nameof(name));
        if (full.Split(Path.DirectorySeparatorChar).Any(CheckpointFolder.IsTemporary))
            throw new ArgumentException($"checkpoint name '{name}' must not contain folders starting with '{CheckpointFolder.TemporaryPrefix}'", nameof(name));
        return full;
    }

    /// Writes a checkpoint folder at <paramref name="name"/> under the root, atomically (temporary folder, then
    /// rename): model.safetensors, the tokenizer, the trainer state, extra files and finally checkpoint.json
    /// (created time set to now when left at default). Returns the folder's full path.
    /// <see cref="CheckpointExistsException"/> when it exists and <paramref name="overwrite"/> is false.
    public string Save(string name, CheckpointContent content, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        string folder = PathOf(name);
        var metadata = content.Metadata;
        if (metadata.CreatedUtc == default)
            metadata = metadata with { CreatedUtc = _time.GetUtcNow() };
        return CheckpointFolder.WriteAtomically(folder, temp => Write(temp, content, metadata), overwrite);
    }

    /// Every checkpoint folder under the root (any depth; temporary folders skipped, checkpoint folders not searched
    /// further), newest first. Folders whose checkpoint.json cannot be read are listed with their problem.
    public IReadOnlyList<CheckpointEntry> List()
    {
        var entries = new List<CheckpointEntry>();
        if (Directory.Exists(Root))
            Collect(Root, entries);
        return [.. entries.OrderByDescending(e => e.Created).ThenBy(e => e.Folder, StringComparer.Ordinal)];
    }

    /// Deletes the checkpoint folder <paramref name="folder"/> (full path or name under the root). Refuses folders
    /// outside the root and folders without checkpoint.json (<see cref="ArgumentException"/>).
    public void Delete(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.IsPathRooted(folder) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) : PathOf(folder);
        if (!IsUnderRoot(full) || full == Root)
            throw new ArgumentException($"{full}: not a checkpoint folder under the store root {Root}; refusing to delete it", nameof(folder));
        if (!CheckpointFolder.IsCheckpoint(full))
            throw new ArgumentException($"{full}: not a checkpoint folder (no {CheckpointFolder.MetadataFileName}); refusing to delete it", nameof(folder));
        CheckpointFolder.DeleteAtomically(full);
    }

    /// checkpoint.json of <paramref name="folder"/> (see <see cref="CheckpointMetadata.Load"/>).
    public static CheckpointMetadata LoadMetadata(string folder) => CheckpointMetadata.Load(folder);

    /// model.safetensors of <paramref name="folder"/>, after checking that it is a checkpoint folder.
    public static SafetensorsWeights OpenWeights(string folder)
    {
        CheckpointMetadata.Load(folder);
        return SafetensorsWeights.Open(folder);
    }

    /// Trainer state of <paramref name="folder"/>, or null for a weights-only checkpoint.
    public static TrainerCheckpoint? LoadTrainerState(string folder) => TrainerCheckpoint.Load(folder);

    /// The tokenizer of <paramref name="folder"/> (see <see cref="CheckpointTokenizer.Load"/>).
    public static ISltTokenizer LoadTokenizer(string folder) => CheckpointTokenizer.Load(folder);

    private static void Write(string folder, CheckpointContent content, CheckpointMetadata metadata)
    {
        SafetensorsFile.Save(Path.Combine(folder, CheckpointFolder.WeightsFileName), content.Weights, content.WeightsMetadata);
        if (content.Tokenizer is not null)
            metadata = metadata with { TokenizerFile = Path.GetFileName(content.Tokenizer.SaveTo(folder)) };
        content.Trainer?.Save(folder);
        content.WriteExtraFiles?.Invoke(folder);
        metadata.Save(folder);
    }

    private static void Collect(string folder, List<CheckpointEntry> entries)
    {
        if (File.Exists(Path.Combine(folder, CheckpointFolder.MetadataFileName)))
        {
            entries.Add(Entry(folder));
            return;
        }
        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(folder).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string child in children.Order(StringComparer.Ordinal))
            if (!CheckpointFolder.IsTemporary(Path.GetFileName(child)))
                Collect(child, entries);
    }

    private static CheckpointEntry Entry(string folder)
    {
        try
        {
            var metadata = CheckpointMetadata.Load(folder);
            return new CheckpointEntry(folder, metadata, null, metadata.CreatedUtc);
        }
        catch (CheckpointFormatException e)
        {
            var written = File.GetLastWriteTimeUtc(Path.Combine(folder, CheckpointFolder.MetadataFileName));
            return new CheckpointEntry(folder, null, e.Message, new DateTimeOffset(written, TimeSpan.Zero));
        }
    }

    private bool IsUnderRoot(string full)
        => full == Root || full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
