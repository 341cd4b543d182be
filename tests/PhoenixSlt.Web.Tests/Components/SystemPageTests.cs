using System.Xml.Linq;
using Bunit;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.SystemInfo;
using TorchSharp;
using PhoenixSlt.Web.Components.Pages;

namespace PhoenixSlt.Web.Tests.Components;

public sealed class SystemPageTests : PortalTestContext, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _root = TestPaths.NewTempDir("phoenix-system-page");

    void IDisposable.Dispose() => Directory.Delete(_root, recursive: true);

    /// The version Directory.Packages.props pins for <paramref name="package"/>.
    private static string PinnedVersion(string package)
        => XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == package)
            .Attribute("Version")!.Value;

    private IRenderedComponent<SystemPage> RenderSystemPage()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        AddDataServices(Path.Combine(_root, "data"));
        IRenderedComponent<SystemPage> cut = RenderPage<SystemPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=devices]")), Wait);
        return cut;
    }

    [Fact]
    public void Render_ThisMachine_ShowsCpuThreadsAndPinnedLibTorchAndTorchSharpVersions()
    {
        IRenderedComponent<SystemPage> cut = RenderSystemPage();

        Assert.Equal(Environment.ProcessorCount.ToString(), cut.Find("[data-testid=cpu-threads]").TextContent);
        Assert.Equal(PinnedVersion("libtorch-cpu-linux-x64"), cut.Find("[data-testid=libtorch-version]").TextContent);
        Assert.Equal("libtorch-cpu-linux-x64", cut.Find("[data-testid=libtorch-package]").TextContent);
        Assert.Equal(PinnedVersion("TorchSharp"), cut.Find("[data-testid=torchsharp-version]").TextContent);
        Assert.Equal(Environment.Version.ToString(), cut.Find("[data-testid=dotnet-version]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=torch-error]"));
    }

    [Fact]
    public void Render_CpuBuildOfLibTorch_SaysCudaIsNotAvailableAndListsNoCudaDevice()
    {
        Assert.False(torch.cuda.is_available(), "this test describes the CPU build the tests run with");

        IRenderedComponent<SystemPage> cut = RenderSystemPage();

        Assert.Contains("not available", cut.Find("[data-testid=cuda-available]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=cuda-devices]"));
    }

    [Fact]
    public void Render_DataRootExistsCheckpointRootDoesNot_ShowsBothWithTheFreeSpaceOfTheirFileSystem()
    {
        IRenderedComponent<SystemPage> cut = RenderSystemPage();

        var data = cut.Find("[data-testid=storage-data-root]");
        Assert.Contains(Path.Combine(_root, "data"), data.QuerySelector("[data-testid=storage-path]")!.TextContent);
        // The free space of the temp folder's file system, as DriveInfo reports it for the folder itself.
        var drive = new DriveInfo(Path.Combine(_root, "data"));
        Assert.Equal(DisplayFormat.Bytes(drive.TotalSize), data.QuerySelector("[data-testid=storage-size]")!.TextContent);
        Assert.NotEqual("–", data.QuerySelector("[data-testid=storage-free]")!.TextContent);

        var checkpoints = cut.Find("[data-testid=storage-checkpoint-root]");
        Assert.Contains("not created yet", checkpoints.TextContent);
        Assert.Equal(DisplayFormat.Bytes(drive.TotalSize), checkpoints.QuerySelector("[data-testid=storage-size]")!.TextContent);
    }

    [Fact]
    public void Parse_NvidiaSmiOutputOfTwoGpus_GivesNamesAndMemoryInBytes()
    {
        const string output = "0, NVIDIA A100-SXM4-40GB, 40960, 40314\n1, NVIDIA GeForce RTX 3090, 24576, [N/A]\n";

        IReadOnlyList<CudaDeviceInfo> gpus = NvidiaSmi.Parse(output);

        Assert.Equal(
            [
                new CudaDeviceInfo(0, "NVIDIA A100-SXM4-40GB", 40960L * 1024 * 1024, 40314L * 1024 * 1024),
                new CudaDeviceInfo(1, "NVIDIA GeForce RTX 3090", 24576L * 1024 * 1024, null),
            ],
            gpus);
    }

    [Fact]
    public void Parse_NvidiaSmiErrorText_GivesNoGpu()
    {
        Assert.Empty(NvidiaSmi.Parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
    }

    [Theory]
    [InlineData(0, null, 0)]
    [InlineData(1, "2,3", 3)]
    [InlineData(0, " 5 , 1", 5)]
    [InlineData(1, "GPU-8f1c", 1)]
    public void PhysicalIndex_CudaVisibleDevices_MapsLogicalToListedIndex(int logical, string? visible, int expected)
    {
        Assert.Equal(expected, NvidiaSmi.PhysicalIndex(logical, visible));
    }

    [Theory]
    [InlineData("/data/phoenix/kpts", "/;/data", "/data")]
    [InlineData("/database", "/;/data", "/")]
    [InlineData("/data", "/data/;/", "/data/")]
    [InlineData("/srv/x", "/data", null)]
    public void MountFor_Path_GivesLongestMountPointHoldingIt(string path, string mounts, string? expected)
    {
        Assert.Equal(expected, StorageProbe.MountFor(path, mounts.Split(';')));
    }

    [Fact]
    public void ParseDepsJson_LibrariesSection_GivesNameAndVersionOfTheLibTorchPackage()
    {
        const string deps = """
            {"libraries":{"TorchSharp/0.107.0":{"type":"package"},"libtorch-cpu-linux-x64/2.10.0":{"type":"package"},"PhoenixSlt.Core/1.0.0":{"type":"project"}}}
            """;

        var libraries = DepsJsonLibraries.Parse(deps);

        Assert.Equal("0.107.0", libraries["TorchSharp"]);
        Assert.Equal(new KeyValuePair<string, string>("libtorch-cpu-linux-x64", "2.10.0"), DepsJsonLibraries.FindLibTorch(libraries));
    }

    [Fact]
    public void SplitDepsFiles_HostValue_SplitsOnSemicolons()
    {
        Assert.Equal(["/app/a.deps.json", "/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/Microsoft.NETCore.App.deps.json"],
            DepsJsonLibraries.SplitDepsFiles("/app/a.deps.json;/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/Microsoft.NETCore.App.deps.json;"));
    }

    [Fact]
    public void CandidateFiles_ThisProcess_AreAllExistingFiles()
    {
        IReadOnlyList<string> files = DepsJsonLibraries.CandidateFiles(AppContext.BaseDirectory);

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} does not exist"));
    }

    [Theory]
    [InlineData(null, "–")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    public void Bytes_Value_UsesBinaryUnits(long? bytes, string expected)
    {
        Assert.Equal(expected, DisplayFormat.Bytes(bytes));
    }
}
