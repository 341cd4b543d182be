using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Runs;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Groups;

/// RunGroupService over a real Sqlite file and the portal's real RunService (the supervisor is never started, so
/// queued runs stay queued).
public sealed class RunGroupServiceTests : IDisposable
{
    private const string DatasetName = "handmade";
    private readonly SqliteTestDatabase _database = new();
    private readonly RunNotifier _notifier = new(NullLogger<RunNotifier>.Instance);
    private readonly RunGroupService _service;
    private readonly RunStore _store;

    public RunGroupServiceTests()
    {
        string dataRoot = Path.Combine(_database.Root, "data");
        HandmadeDataset.CreateComplete(Path.Combine(dataRoot, DatasetName));
        var paths = new PhoenixPaths(Microsoft.Extensions.Options.Options.Create(new PhoenixOptions
        {
            DataRoot = dataRoot,
            CheckpointRoot = Path.Combine(_database.Root, "checkpoints"),
        }), new Environment(_database.Root));
        var factory = _database.Factory();
        var catalog = new DatasetCatalog(paths);
        var supervisor = new TrainingSupervisor(factory, new DatabaseState(), catalog, paths, _notifier, new ProcessControl(),
            Microsoft.Extensions.Options.Options.Create(new TrainingOptions()), TimeProvider.System, NullLogger<TrainingSupervisor>.Instance);
        var runs = new RunService(factory, catalog, paths, supervisor, _notifier, TimeProvider.System,
            Microsoft.Extensions.Options.Options.Create(new BeamOptions()));
        _store = new RunStore(factory);
        _service = new RunGroupService(factory, runs, _store, TimeProvider.System);
    }

    public void Dispose() => _database.Dispose();

    private static JsonElement SpecJson(RunSpec spec)
    {
        using var json = JsonDocument.Parse(RunSpecJson.Write(spec));
        return json.RootElement.Clone();
    }

    private static RunSpec TinySlt() => new() { Phase = TrainingPhaseNames.Slt, Data = DatasetName, Epochs = null, MaxSteps = 5, Seed = 7 };

    [Fact]
    public async Task CreateAsync_SweepValueOutOfRange_ReportsTheFieldsOwnMessageAndQueuesNothing()
    {
        SpecField batch = RunSpecFields.Get("batch_size");
        string expected = batch.Check(0) ?? throw new InvalidOperationException("batch_size 0 passes its check: the test would prove nothing");
        var request = new RunGroupRequest
        {
            Kind = RunGroupKinds.Sweep,
            Spec = SpecJson(TinySlt()),
            SeedCount = 2,
            Sweep = new SweepDefinition { Parameters = [new SweepParameter { Field = "batch_size", Values = ["4", "0"] }] },
        };

        RunGroupCreateResult result = await _service.CreateAsync(request);

        Assert.False(result.Created);
        Assert.Equal([RunGroupService.SweepField], result.Problems.Keys);
        Assert.Equal([expected], result.Problems[RunGroupService.SweepField]);
        Assert.Empty(await _store.ListAsync());
        Assert.Empty(await _service.ListAsync());
    }

    [Fact]
    public async Task CreateAsync_UnsweepableField_IsAProblemAndQueuesNothing()
    {
        var request = new RunGroupRequest
        {
            Kind = RunGroupKinds.Sweep,
            Spec = SpecJson(TinySlt()),
            Sweep = new SweepDefinition { Parameters = [new SweepParameter { Field = "data", Values = ["a", "b"] }] },
        };

        RunGroupCreateResult result = await _service.CreateAsync(request);

        Assert.False(result.Created);
        Assert.Contains(result.Problems[RunGroupService.SweepField], m => m.StartsWith("data cannot be swept", StringComparison.Ordinal));
        Assert.Empty(await _store.ListAsync());
    }

    [Fact]
    public async Task CreateAsync_GridOfTwoValuesWithTwoSeeds_QueuesFourNamedRunsInSettingOrder()
    {
        var request = new RunGroupRequest
        {
            Kind = RunGroupKinds.Sweep,
            Name = "lr sweep",
            Spec = SpecJson(TinySlt()),
            SeedCount = 2,
            Sweep = new SweepDefinition { Parameters = [new SweepParameter { Field = "lr_encoder", Values = ["0.001", "0.0003"] }] },
        };

        RunGroupCreateResult result = await _service.CreateAsync(request);

        Assert.True(result.Created, string.Join("; ", result.Problems.SelectMany(p => p.Value)));
        var group = result.Group!;
        Assert.Equal([7, 8], group.Definition.Seeds);
        Assert.Equal(["lr_encoder=0.001", "lr_encoder=0.001", "lr_encoder=0.0003", "lr_encoder=0.0003"], group.Runs.Select(r => r.GroupLabel));
        Assert.Equal(["lr sweep · lr_encoder=0.001 · seed 7", "lr sweep · lr_encoder=0.001 · seed 8", "lr sweep · lr_encoder=0.0003 · seed 7", "lr sweep · lr_encoder=0.0003 · seed 8"],
            group.Runs.Select(r => r.Name));
        Assert.All(group.Runs, r => Assert.Equal((JobStatus.Queued, (int?)group.Id), (r.Status, r.GroupId)));
        // the stored specs carry the swept value and the seed
        var configs = new List<RunSpec>();
        foreach (var run in group.Runs)
            configs.Add((await _store.GetDetailsAsync(run.Id))!.Config);
        Assert.Equal([(0.001, 7), (0.001, 8), (0.0003, 7), (0.0003, 8)], configs.Select(c => (c.LrEncoder, c.Seed)));
    }

    [Fact]
    public async Task CancelAsync_QueuedGroup_CancelsEveryMemberOnce()
    {
        var created = await _service.CreateAsync(new RunGroupRequest { Kind = RunGroupKinds.Seeds, Spec = SpecJson(TinySlt()), SeedCount = 2 });
        Assert.True(created.Created);
        int id = created.Group!.Id;

        IReadOnlyList<int>? stopped = await _service.CancelAsync(id);

        Assert.Equal(created.Group.Runs.Select(r => r.Id).Order(), stopped!.Order());
        var group = (await _service.GetAsync(id))!;
        Assert.All(group.Runs, r => Assert.Equal(JobStatus.Cancelled, r.Status));
        Assert.False(group.CanCancel);
        Assert.Equal(new Dictionary<string, int> { ["cancelled"] = 2 }, group.StatusCounts);
        Assert.Empty((await _service.CancelAsync(id))!);
        Assert.Null(await _service.CancelAsync(id + 100));
    }

    [Fact]
    public async Task SetNotesAsync_SetsTrimsAndClears()
    {
        var created = await _service.CreateAsync(new RunGroupRequest { Kind = RunGroupKinds.Seeds, Spec = SpecJson(TinySlt()), SeedCount = 2 });
        int id = created.Group!.Id;

        Assert.True(await _service.SetNotesAsync(id, "  baseline seeds  "));
        Assert.Equal("baseline seeds", (await _service.GetAsync(id))!.Notes);
        Assert.True(await _service.SetNotesAsync(id, "   "));
        Assert.Null((await _service.GetAsync(id))!.Notes);
        Assert.False(await _service.SetNotesAsync(id + 100, "x"));
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "PhoenixSlt.Web.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
