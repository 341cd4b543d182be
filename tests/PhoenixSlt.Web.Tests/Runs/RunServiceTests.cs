using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunServiceTests : IDisposable
{
    private const string DatasetName = "handmade";
    private readonly PhoenixSlt.Web.Options.BeamOptions _beams = new() { Max = 6 };
    private readonly SqliteTestDatabase _database = new();
    private readonly PhoenixPaths _paths;
    private readonly RunNotifier _notifier = new(NullLogger<RunNotifier>.Instance);
    private readonly RunService _service;
    private readonly RunStore _store;
    private readonly string _datasetFolder;

    public RunServiceTests()
    {
        string dataRoot = Path.Combine(_database.Root, "data");
        _datasetFolder = Path.Combine(dataRoot, DatasetName);
        HandmadeDataset.CreateComplete(_datasetFolder);
        _paths = new PhoenixPaths(Microsoft.Extensions.Options.Options.Create(new PhoenixOptions
        {
            DataRoot = dataRoot,
            CheckpointRoot = Path.Combine(_database.Root, "checkpoints"),
        }), new Environment(_database.Root));
        var factory = _database.Factory();
        var catalog = new DatasetCatalog(_paths);
        var supervisor = new TrainingSupervisor(factory, new DatabaseState(), catalog, _paths, _notifier, new ProcessControl(),
            Microsoft.Extensions.Options.Options.Create(new TrainingOptions()), TimeProvider.System, NullLogger<TrainingSupervisor>.Instance);
        _service = new RunService(factory, catalog, _paths, supervisor, _notifier, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(_beams));
        _store = new RunStore(factory);
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task CreateAsync_ValidSpec_QueuesTheRunInItsOwnFolderWithItsResolvedSettings()
    {
        var updates = new List<RunUpdate>();
        using var subscription = _notifier.Subscribe(updates.Add);
        var spec = new RunSpec { Phase = TrainingPhaseNames.Pipeline, Data = DatasetName, MaxSteps = 5, Name = "  first  " };

        var result = await _service.CreateAsync(spec);

        Assert.True(result.Created);
        Assert.True(result.Problems.IsValid);
        var run = result.Run!;
        Assert.Equal((JobStatus.Queued, "first", "pipeline", "text"), (run.Status, run.Name, run.Phase, run.Stage));
        Assert.Equal(Path.Combine(_paths.CheckpointRoot, "runs", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), run.OutputFolder);
        var details = await _store.GetDetailsAsync(run.Id);
        // the stored spec is resolved: data is the dataset's folder, out the run folder (the pipeline's stages below
        // it); texts are read back trimmed, as every spec text is
        Assert.Equal(spec with { Name = "first", Data = _datasetFolder, Out = run.OutputFolder }, details!.Config);
        Assert.Equal(run.Id, Assert.IsType<RunStateUpdate>(Assert.Single(updates)).Run.Id);
    }

    [Fact]
    public async Task CreateAsync_SinglePhase_OutIsThePhaseFolderOfTheRun()
    {
        var spec = new RunSpec { Phase = TrainingPhaseNames.Vlp, Data = DatasetName, Init = _datasetFolder, BatchSize = 2 };

        var run = (await _service.CreateAsync(spec)).Run!;

        var config = (await _store.GetDetailsAsync(run.Id))!.Config;
        Assert.Equal(Path.Combine(run.OutputFolder, TrainingPhaseNames.Vlp), config.Out);
        Assert.Equal((_datasetFolder, _datasetFolder, 2), (config.Data, config.Init, config.BatchSize));
        Assert.Equal((DatasetName, "vlp on handmade"), (run.Dataset, run.Name));
    }

    [Fact]
    public async Task CreateAsync_BeamsOverThePortalLimit_RefusedOnTheBeamsFieldAndAtTheLimitAccepted()
    {
        // The spec itself allows up to 32; the portal's limit here is 6.
        var over = await _service.CreateAsync(new RunSpec { Phase = TrainingPhaseNames.Slt, Data = DatasetName, Beams = _beams.Max + 1 });
        var at = await _service.CreateAsync(new RunSpec { Phase = TrainingPhaseNames.Slt, Data = DatasetName, Beams = _beams.Max });

        Assert.False(over.Created);
        Assert.Equal([_beams.Problem(_beams.Max + 1)!], over.Problems.For(RunService.BeamsField));
        Assert.Equal("beams", RunService.BeamsField);
        Assert.True(at.Created);
    }

    [Fact]
    public async Task CreateAsync_InvalidSpec_ReturnsTheProblemsAndStoresNothing()
    {
        var spec = new RunSpec { Data = "unknown", BatchSize = 0 };

        var result = await _service.CreateAsync(spec);

        Assert.False(result.Created);
        Assert.Equal(["batch_size", "data"], result.Problems.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(spec.Validate(_service.ValidationContext()).Messages, result.Problems.Messages);
        await using var db = _database.Create();
        Assert.Equal(0, await db.Runs.CountAsync());
    }

    [Fact]
    public void ValidationContext_Portal_DatasetNamesAssignedOutAbsolutePaths()
    {
        var context = _service.ValidationContext(cudaDeviceCount: 2);

        Assert.Equal([DatasetName], context.Datasets);
        Assert.True(context.OutAssigned);
        Assert.True(context.AbsolutePathsOnly);
        Assert.False(context.AnyDataset);
        Assert.Equal(2, context.CudaDeviceCount);
        Assert.Null(_service.ValidationContext().CudaDeviceCount);
    }

    [Fact]
    public async Task CancelAsync_QueuedRun_IsCancelledAtOnce()
    {
        var run = (await _service.CreateAsync(new RunSpec { Data = DatasetName })).Run!;

        var result = await _service.CancelAsync(run.Id);

        Assert.Equal(RunCommandOutcome.Done, result.Outcome);
        Assert.Equal(JobStatus.Cancelled, result.Run!.Status);
        Assert.NotNull(result.Run.FinishedAt);
        Assert.Equal(JobStatus.Cancelled, (await _store.GetAsync(run.Id))!.Status);
    }

    [Fact]
    public async Task CancelAsync_FinishedOrMissingRun_IsRefused()
    {
        int id = await AddRunAsync(JobStatus.Completed);

        Assert.Equal(RunCommandOutcome.Conflict, (await _service.CancelAsync(id)).Outcome);
        Assert.Equal(RunCommandOutcome.NotFound, (await _service.CancelAsync(id + 100)).Outcome);
    }

    [Theory]
    [InlineData(JobStatus.Interrupted, RunCommandOutcome.Done)]
    [InlineData(JobStatus.Failed, RunCommandOutcome.Done)]
    [InlineData(JobStatus.Cancelled, RunCommandOutcome.Done)]
    [InlineData(JobStatus.Completed, RunCommandOutcome.Conflict)]
    [InlineData(JobStatus.Running, RunCommandOutcome.Conflict)]
    [InlineData(JobStatus.Queued, RunCommandOutcome.Conflict)]
    public async Task ResumeAsync_ByStatus_QueuesOnlyStoppedRuns(JobStatus status, RunCommandOutcome expected)
    {
        int id = await AddRunAsync(status, error: "boom");

        var result = await _service.ResumeAsync(id);

        Assert.Equal(expected, result.Outcome);
        var run = (await _store.GetAsync(id))!;
        if (expected == RunCommandOutcome.Done)
            Assert.Equal((JobStatus.Queued, (string?)null, (DateTime?)null), (run.Status, run.Error, run.FinishedAt));
        else
            Assert.Equal(status, run.Status);
    }

    [Fact]
    public async Task ListAsync_FilterAndSort_ReturnsTheMatchingRunsInOrder()
    {
        int a = await AddRunAsync(JobStatus.Completed, bleu: 10, name: "alpha");
        int b = await AddRunAsync(JobStatus.Failed, bleu: null, name: "beta");
        int c = await AddRunAsync(JobStatus.Completed, bleu: 20, name: "gamma");

        var completedByBleu = await _store.ListAsync(new RunQuery(Status: JobStatus.Completed, Sort: RunSortField.BestBleu4, Descending: true));
        var byName = await _store.ListAsync(new RunQuery(Sort: RunSortField.Name, Descending: false));
        var search = await _store.ListAsync(new RunQuery(Search: "ETA"));

        Assert.Equal([c, a], completedByBleu.Select(r => r.Id));
        Assert.Equal([a, b, c], byName.Select(r => r.Id));
        Assert.Equal([b], search.Select(r => r.Id));
    }

    private async Task<int> AddRunAsync(JobStatus status, string? error = null, double? bleu = null, string name = "r")
    {
        await using var db = _database.Create();
        var run = new RunEntity
        {
            Name = name, Phase = "slt", Stage = "slt", Status = status, Dataset = DatasetName, CreatedAt = DateTime.UtcNow,
            OutputFolder = "/x", Error = error, BestBleu4 = bleu, FinishedAt = status.IsActive() ? null : DateTime.UtcNow,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "PhoenixSlt.Web.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
