using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Options;

namespace PhoenixSlt.Web.Services;

/// Absolute locations derived from <see cref="PhoenixOptions"/>. Relative option values are resolved
/// against the base directory: <see cref="PhoenixOptions.BaseDirectory"/> when set, otherwise the
/// repository root above the content root (the folder with PhoenixSlt.sln, so `dotnet run --project
/// src/PhoenixSlt.Web` and running from src/PhoenixSlt.Web both use ./data of the repository), otherwise
/// the content root (published or container deployments).
public sealed class PhoenixPaths
{
    public const string SolutionFileName = "PhoenixSlt.sln";

    public PhoenixPaths(IOptions<PhoenixOptions> options, IHostEnvironment environment)
    {
        PhoenixOptions o = options.Value;
        BaseDirectory = ResolveBaseDirectory(o.BaseDirectory, environment.ContentRootPath);
        DataRoot = Resolve(BaseDirectory, o.DataRoot);
        CheckpointRoot = Resolve(BaseDirectory, o.CheckpointRoot);
        DefaultDataset = o.DefaultDataset;
    }

    public string BaseDirectory { get; }

    public string DataRoot { get; }

    public string CheckpointRoot { get; }

    public string DefaultDataset { get; }

    /// DataRoot/DefaultDataset: where the first-start synthetic dataset goes.
    public string DefaultDatasetDir => Path.Combine(DataRoot, DefaultDataset);

    /// Absolute path of <paramref name="path"/>; relative paths are taken from <paramref name="baseDirectory"/>.
    public static string Resolve(string baseDirectory, string path)
        => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));

    /// The configured base directory, or the repository root above <paramref name="contentRoot"/>, or the content root.
    public static string ResolveBaseDirectory(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Resolve(contentRoot, configured);
        return FindRepositoryRoot(contentRoot) ?? Path.GetFullPath(contentRoot);
    }

    /// The nearest folder at or above <paramref name="start"/> holding PhoenixSlt.sln, or null.
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                return dir.FullName;
        return null;
    }
}
