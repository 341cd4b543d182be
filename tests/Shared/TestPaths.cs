namespace PhoenixSlt.Tests;

/// Locations used by every test project: the repository root (found by walking up to PhoenixSlt.sln),
/// the golden fixtures under tests/fixtures, and fresh temporary folders.
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// tests/fixtures: copies of the reference outputs (sacrebleu, transformers mBART).
    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    /// A new empty folder under the system temp directory; callers delete it (or leave it to the OS).
    public static string NewTempDir(string prefix = "phoenix-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// Deletes a temporary folder; one still in use (a file held open, no permission) is left for the OS temp cleaner.
    public static void TryDeleteDir(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS temp cleaner.
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PhoenixSlt.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"PhoenixSlt.sln not found above {AppContext.BaseDirectory}");
    }
}
