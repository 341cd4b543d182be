using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PhoenixSlt.Web.Tests.Services;

public class PhoenixPathsTests
{
    [Fact]
    public void Constructor_ContentRootInsideRepository_ResolvesRelativePathsAgainstRepositoryRoot()
    {
        string contentRoot = Path.Combine(TestPaths.RepoRoot, "src", "PhoenixSlt.Web");

        var paths = new PhoenixPaths(MsOptions.Create(new PhoenixOptions()), new FakeEnvironment(contentRoot));

        Assert.Equal(TestPaths.RepoRoot.TrimEnd(Path.DirectorySeparatorChar), paths.BaseDirectory);
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "data"), paths.DataRoot);
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "checkpoints"), paths.CheckpointRoot);
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "data", "phoenix-synth"), paths.DefaultDatasetDir);
    }

    [Fact]
    public void Constructor_ContentRootOutsideRepository_UsesContentRoot()
    {
        string contentRoot = TestPaths.NewTempDir();

        var paths = new PhoenixPaths(MsOptions.Create(new PhoenixOptions { DataRoot = "d" }), new FakeEnvironment(contentRoot));

        Assert.Equal(Path.Combine(contentRoot, "d"), paths.DataRoot);
    }

    [Fact]
    public void Constructor_AbsoluteDataRoot_IsKept()
    {
        string dataRoot = TestPaths.NewTempDir();

        var paths = new PhoenixPaths(MsOptions.Create(new PhoenixOptions { DataRoot = dataRoot }), new FakeEnvironment(TestPaths.RepoRoot));

        Assert.Equal(dataRoot, paths.DataRoot);
    }

    [Fact]
    public void ResolveBaseDirectory_ConfiguredRelative_IsTakenFromContentRoot()
    {
        string contentRoot = TestPaths.NewTempDir();

        string resolved = PhoenixPaths.ResolveBaseDirectory("sub", contentRoot);

        Assert.Equal(Path.Combine(contentRoot, "sub"), resolved);
    }

    private sealed class FakeEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "PhoenixSlt.Web";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
