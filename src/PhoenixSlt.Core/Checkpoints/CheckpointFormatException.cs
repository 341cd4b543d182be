namespace PhoenixSlt.Core.Checkpoints;

/// A checkpoint file (safetensors weights, config.json, shard index, …) that cannot be used: corrupt,
/// truncated, of the wrong kind, or not matching the model. The message names the file and the problem.
public class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string? filePath, string problem, Exception? inner = null)
        : base(filePath is null ? problem : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// The offending file (or folder), or null when the problem is not about one file.
    public string? FilePath { get; }

    /// What is wrong, without the file name.
    public string Problem { get; }
}
