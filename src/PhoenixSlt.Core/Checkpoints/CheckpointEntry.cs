namespace PhoenixSlt.Core.Checkpoints;

/// One checkpoint folder found by <see cref="CheckpointStore.List"/>.
/// <param name="Folder">Full path of the folder.</param>
/// <param name="Metadata">Its checkpoint.json, or null when that could not be read.</param>
/// <param name="Problem">Why checkpoint.json could not be read, or null.</param>
/// <param name="Created">Creation time from the metadata (or checkpoint.json's write time when unreadable).</param>
public sealed record CheckpointEntry(string Folder, CheckpointMetadata? Metadata, string? Problem, DateTimeOffset Created)
{
    /// Folder relative to the store's root, with '/' separators.
    public string RelativeTo(string root) => Path.GetRelativePath(root, Folder).Replace(Path.DirectorySeparatorChar, '/');

    public bool IsValid => Metadata is not null;
}
