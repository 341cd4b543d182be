using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Bootstrap;
using PhoenixSlt.Web.Services.Datasets;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PhoenixSlt.Web.Tests.Services;

public class DatasetBootstrapperTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Execute_EmptyDataRoot_WritesDatasetAndPublishesCompleted()
    {
        string dataRoot = TestPaths.NewTempDir();
        var writer = new FakeWriter((dir, _, progress) =>
        {
            HandmadeDataset.CreateComplete(dir);
            progress.Report(new GenerationProgress("test", 5, 5));
        });
        var (bootstrapper, notifier) = Create(dataRoot, writer);
        var states = new List<BootstrapState>();
        using IDisposable subscription = notifier.Subscribe(s => { lock (states) states.Add(s.State); });

        await RunAsync(bootstrapper, notifier);

        Assert.Equal(BootstrapState.Completed, notifier.Current.State);
        Assert.Equal(BootstrapState.Running, states[0]);
        DatasetEntry entry = Assert.Single(DatasetCatalog.ListUnder(dataRoot));
        Assert.Equal(Path.Combine(dataRoot, "phoenix-synth"), entry.Path);
        Assert.True(File.Exists(Path.Combine(entry.Path, "annotations", "PHOENIX-2014-T.train.corpus.csv")));
        Assert.Empty(Directory.EnumerateDirectories(dataRoot, ".*"));
        Assert.Equal(new SyntheticDatasetSize(7, 3, 2, 11), writer.Size);
    }

    [Fact]
    public async Task Execute_DatasetAlreadyPresent_DoesNotWrite()
    {
        string dataRoot = TestPaths.NewTempDir();
        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "mine"));
        var writer = new FakeWriter((_, _, _) => throw new InvalidOperationException("must not be called"));
        var (bootstrapper, notifier) = Create(dataRoot, writer);

        await RunAsync(bootstrapper, notifier);

        Assert.Equal(BootstrapState.NotNeeded, notifier.Current.State);
        Assert.Null(writer.Size);
    }

    [Fact]
    public async Task Execute_GenerationDisabled_DoesNotWrite()
    {
        string dataRoot = TestPaths.NewTempDir();
        var writer = new FakeWriter((_, _, _) => throw new InvalidOperationException("must not be called"));
        var (bootstrapper, notifier) = Create(dataRoot, writer, generate: false);

        await RunAsync(bootstrapper, notifier);

        Assert.Equal(BootstrapState.NotNeeded, notifier.Current.State);
        Assert.Empty(DatasetCatalog.ListUnder(dataRoot));
    }

    [Fact]
    public async Task Execute_WriterFails_PublishesFailedAndLeavesNoPartialFolder()
    {
        string dataRoot = TestPaths.NewTempDir();
        var writer = new FakeWriter((dir, _, _) =>
        {
            HandmadeDataset.Write(dir, "train", [new("half", 3, 2)]);
            throw new IOException("No space left on device");
        });
        var (bootstrapper, notifier) = Create(dataRoot, writer);

        await RunAsync(bootstrapper, notifier);

        Assert.Equal(BootstrapState.Failed, notifier.Current.State);
        Assert.Contains("No space left on device", notifier.Current.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataRoot));
    }

    [Fact]
    public async Task Execute_StalePartialFolderFromEarlierRun_IsRemovedAndNotListed()
    {
        string dataRoot = TestPaths.NewTempDir();
        string stale = Path.Combine(dataRoot, ".phoenix-synth.partial-old");
        HandmadeDataset.Write(stale, "train", [new("old", 3, 2)]);
        Assert.Empty(DatasetCatalog.ListUnder(dataRoot));
        var writer = new FakeWriter((dir, _, _) => HandmadeDataset.CreateComplete(dir));
        var (bootstrapper, notifier) = Create(dataRoot, writer);

        await RunAsync(bootstrapper, notifier);

        Assert.Equal(BootstrapState.Completed, notifier.Current.State);
        Assert.False(Directory.Exists(stale));
    }

    private static (DatasetBootstrapper, BootstrapNotifier) Create(string dataRoot, ISyntheticDatasetWriter writer, bool generate = true)
    {
        var paths = new PhoenixPaths(MsOptions.Create(new PhoenixOptions { DataRoot = dataRoot }), new Env(dataRoot));
        var firstStart = new FirstStartOptions { GenerateSyntheticDataset = generate, TrainSamples = 7, DevSamples = 3, TestSamples = 2, Seed = 11 };
        var notifier = new BootstrapNotifier();
        var cache = new DatasetOverviewCache(NullLogger<DatasetOverviewCache>.Instance);
        return (new DatasetBootstrapper(paths, MsOptions.Create(firstStart), writer, notifier, cache,
            NullLogger<DatasetBootstrapper>.Instance), notifier);
    }

    private static async Task RunAsync(DatasetBootstrapper bootstrapper, BootstrapNotifier notifier)
    {
        await bootstrapper.StartAsync(CancellationToken.None);
        Task finished = bootstrapper.ExecuteTask ?? Task.CompletedTask;
        await finished.WaitAsync(Timeout);
        Assert.False(notifier.Current.IsRunning, $"still {notifier.Current.State}");
        await bootstrapper.StopAsync(CancellationToken.None);
    }

    private sealed class FakeWriter(Action<string, SyntheticDatasetSize, IProgress<GenerationProgress>> write) : ISyntheticDatasetWriter
    {
        public SyntheticDatasetSize? Size { get; private set; }

        public void Write(string outputDir, SyntheticDatasetSize size, IProgress<GenerationProgress> progress, CancellationToken cancellationToken)
        {
            Size = size;
            write(outputDir, size, progress);
        }
    }

    private sealed class Env(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "PhoenixSlt.Web";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
