using Bunit;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Components.Pages;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Components;

public sealed class DatasetsPageTests : PortalTestContext, IDisposable
{
    private readonly List<string> _tempDirs = [];

    /// A temporary data root deleted after the test.
    private string NewDataRoot()
    {
        string dir = TestPaths.NewTempDir("phoenix-datasets-page");
        _tempDirs.Add(dir);
        return dir;
    }

    void IDisposable.Dispose()
    {
        foreach (string dir in _tempDirs)
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void Render_GeneratedSyntheticDataset_ShowsRequestedSplitSizesAndHistograms()
    {
        string dataRoot = NewDataRoot();
        SyntheticPhoenixGenerator.Generate(new SynthOptions(Path.Combine(dataRoot, "phoenix-synth"), Train: 20, Dev: 5, Test: 5, Seed: 3));
        AddDataServices(dataRoot);

        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();

        cut.WaitForAssertion(() => Assert.Equal("20", cut.Find("[data-testid=split-train-samples]").TextContent), Wait);
        Assert.Equal("5", cut.Find("[data-testid=split-dev-samples]").TextContent);
        Assert.Equal("5", cut.Find("[data-testid=split-test-samples]").TextContent);
        Assert.Equal("20", cut.Find("[data-testid=split-train-both]").TextContent);
        Assert.Contains("No problems found", cut.Find("[data-testid=problems]").TextContent);
        Assert.Equal(2, cut.FindAll("svg.mud-chart-bar").Count);
        Assert.Contains("Samples (20)", cut.Find("[data-testid=sample-table]").TextContent);
    }

    [Fact]
    public void Render_HandmadeDataset_ShowsPerSplitCountsAndNoProblems()
    {
        string dataRoot = NewDataRoot();
        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "handmade"));
        AddDataServices(dataRoot, defaultDataset: "handmade");

        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=split-train-samples]").TextContent), Wait);
        Assert.Equal("1", cut.Find("[data-testid=split-dev-samples]").TextContent);
        Assert.Equal("1", cut.Find("[data-testid=split-test-samples]").TextContent);
        Assert.Contains("10 / 20.0 / 30", cut.Find("[data-testid=split-train]").TextContent);
        Assert.Contains("No problems found", cut.Find("[data-testid=problems]").TextContent);
    }

    [Fact]
    public void ClickSample_HandmadeDataset_ShowsGlossTranslationSpeakerAndFrames()
    {
        string dataRoot = NewDataRoot();
        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "handmade"));
        AddDataServices(dataRoot, defaultDataset: "handmade");
        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=sample-table] tbody tr")), Wait);

        cut.FindAll("[data-testid=sample-table] tbody tr").Single(tr => tr.TextContent.Contains("tr3")).Click();

        // MudTable's row click may complete after an asynchronous step, so the details can render after Click returns
        cut.WaitForAssertion(() => Assert.Equal("Signer05", cut.Find("[data-testid=sample-speaker]").TextContent), Wait);
        Assert.Equal("WIND STARK", cut.Find("[data-testid=sample-orth]").TextContent);
        Assert.Equal("starker wind", cut.Find("[data-testid=sample-translation]").TextContent);
        Assert.Equal("30", cut.Find("[data-testid=sample-kpts-frames]").TextContent);
        Assert.Equal("15", cut.Find("[data-testid=sample-siglip-frames]").TextContent);
    }

    [Fact]
    public void FullCheck_HandmadeDatasetOfZeroKeypoints_ReadsValuesAndReportsHandsMissing()
    {
        // Every keypoint is 0, which marks a missing joint: both hands are missing in every frame.
        string dataRoot = NewDataRoot();
        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "handmade"));
        AddDataServices(dataRoot, defaultDataset: "handmade");
        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();
        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=split-train-samples]").TextContent), Wait);

        cut.Find("[data-testid=full-check]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Full check (every value read)", cut.Markup), Wait);
        Assert.Contains("100.0% / 100.0%", cut.Find("[data-testid=split-train]").TextContent);
        Assert.Equal("3", cut.Find("[data-testid=split-train-samples]").TextContent);
    }

    [Fact]
    public void Render_DatasetWithMissingFile_ListsTheProblem()
    {
        string dataRoot = NewDataRoot();
        string root = HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "handmade"));
        File.Delete(Path.Combine(root, "kpts", "dev", "dv1.npy"));
        AddDataServices(dataRoot, defaultDataset: "handmade");

        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();

        cut.WaitForAssertion(() => Assert.Contains("1 problem found", cut.Find("[data-testid=problems]").TextContent), Wait);
        Assert.Contains("no keypoints file for sample 'dv1'", cut.Find("[data-testid=problems]").TextContent);
    }

    [Fact]
    public void Render_EmptyDataRoot_ExplainsHowToAddADataset()
    {
        AddDataServices(NewDataRoot());

        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();

        Assert.Contains("phoenix-slt synth", cut.Find("[data-testid=no-datasets]").TextContent);
    }

    [Fact]
    public void Render_BootstrapFailed_ShowsTheError()
    {
        BootstrapNotifier notifier = AddDataServices(NewDataRoot());
        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();

        notifier.Publish(new BootstrapStatus(BootstrapState.Failed, "phoenix-synth", Error: "disk full"));

        cut.WaitForAssertion(() => Assert.Contains("disk full", cut.Find("[data-testid=bootstrap-failed]").TextContent), Wait);
    }

    [Fact]
    public void Render_BootstrapRunning_ShowsProgressThenCountsWhenDone()
    {
        string dataRoot = NewDataRoot();
        BootstrapNotifier notifier = AddDataServices(dataRoot, defaultDataset: "handmade");
        notifier.Publish(new BootstrapStatus(BootstrapState.Running, "handmade", "train", 2, 5));
        IRenderedComponent<Datasets> cut = RenderPage<Datasets>();
        Assert.Contains("2 / 5 samples", cut.Find("[data-testid=bootstrap-running]").TextContent);

        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, "handmade"));
        notifier.Publish(new BootstrapStatus(BootstrapState.Completed, "handmade", "", 5, 5));

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=split-train-samples]").TextContent), Wait);
        Assert.Empty(cut.FindAll("[data-testid=bootstrap-running]"));
    }
}
