namespace PhoenixSlt.Core.Checkpoints;

/// A checkpoint (or other folder) already exists where a new one was to be written and overwriting was not asked for.
public sealed class CheckpointExistsException(string folder)
    : IOException($"{folder}: already exists; choose another output folder or allow overwriting it")
{
    public string Folder { get; } = folder;
}
