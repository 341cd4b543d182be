namespace PhoenixSlt.Core.Data;

/// A problem with user-supplied data (annotation CSV, .npy feature file, dataset layout).
/// The message always names the file (when there is one) and what is wrong with it.
public class PhoenixDataException : Exception
{
    public PhoenixDataException(string? filePath, string problem, Exception? inner = null)
        : base(filePath is null ? problem : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// The offending file, or null when the problem is not about one file.
    public string? FilePath { get; }

    /// What is wrong, without the file name.
    public string Problem { get; }
}
