using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Integration;

/// One tiny synthetic dataset (24 train / 8 dev / 8 test) shared by the training tests of a class.
public sealed class TrainingDatasetFixture : IDisposable
{
    public const string DatasetName = "synth";

    public TrainingDatasetFixture()
    {
        Root = TestPaths.NewTempDir("phoenix-training-data");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(Path.Combine(Root, DatasetName), 24, 8, 8, Seed: 7) { MaxParallelism = 2 });
    }

    /// The data root holding <see cref="DatasetName"/>.
    public string Root { get; }

    public void Dispose()
    {
        TestPaths.TryDeleteDir(Root);
    }
}

/// The portal on real Kestrel over a database file and checkpoint root that outlive it (so that a second host can
/// reopen them), with an HTTP client and helpers for runs. Disposing stops the portal, which kills its training
/// processes.
public sealed class TrainingTestHost : IAsyncDisposable
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    /// The API's JSON: camelCase, with the run spec's snake_case field names (<see cref="RunSpecHttpContract"/>).
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(RunSpecHttpContract.UseFieldNames),
    };

    private readonly PhoenixWebFactory _factory;

    public TrainingTestHost(TrainingDatasetFixture data, string stateRoot, IReadOnlyDictionary<string, string?>? settings = null)
    {
        StateRoot = stateRoot;
        var all = new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = data.Root,
            ["Phoenix:CheckpointRoot"] = CheckpointRoot,
            ["Phoenix:Database"] = DatabaseFile,
            ["Phoenix:DefaultDataset"] = TrainingDatasetFixture.DatasetName,
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
            ["Phoenix:Training:PollInterval"] = "00:00:00.100",
            ["Phoenix:Training:CancelGracePeriod"] = "00:00:30",
            // One libtorch thread per training process: tests share two cores with other test processes.
            ["Phoenix:Training:Environment:OMP_NUM_THREADS"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        _factory = new PhoenixWebFactory(all);
        BaseAddress = _factory.StartKestrel();
        Client = PhoenixWebFactory.ApiClient(BaseAddress);
    }

    /// Folder of the database file and checkpoint root (kept across hosts; the caller deletes it).
    public string StateRoot { get; }

    public string CheckpointRoot => Path.Combine(StateRoot, "checkpoints");

    public string DatabaseFile => Path.Combine(StateRoot, "phoenix.db");

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// A tiny slt run on the synthetic dataset: greedy validation, a step event at every step, loading on the
    /// training thread.
    public static RunSpec TinySlt(long maxSteps) => new()
    {
        Phase = TrainingPhaseNames.Slt,
        Data = TrainingDatasetFixture.DatasetName,
        Epochs = null,
        MaxSteps = maxSteps,
        BatchSize = 4,
        Beams = 1,
        LogEvery = 1,
        LoaderWorkers = 0,
    };

    /// POST /api/runs with <paramref name="json"/> (a run spec with snake_case names) as the body.
    public Task<HttpResponseMessage> PostSpecAsync(string json)
        => Client.PostAsync("/api/runs", new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<RunInfo> CreateRunAsync(RunSpec spec)
    {
        using var response = await PostSpecAsync(RunSpecJson.Write(spec));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RunInfo>(Json))!;
    }

    public async Task<RunInfo> GetRunAsync(int id) => (await Client.GetFromJsonAsync<RunDetails>($"/api/runs/{id}", Json))!.Run;

    /// Polls the run until <paramref name="done"/> holds; fails with the run's state and log on timeout or when the
    /// run ends in another final state.
    public async Task<RunInfo> WaitForAsync(int id, Func<RunInfo, bool> done, string what)
    {
        DateTime deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            var run = await GetRunAsync(id);
            if (done(run))
                return run;
            if (DateTime.UtcNow > deadline || (run.Status.IsFinal() && !done(run)))
                Assert.Fail($"run {id} never got {what}: status {run.Status.ToText()}, step {run.ProgressStep}, error {run.Error}\n{await LogTextAsync(id)}");
            await Task.Delay(200);
        }
    }

    public async Task<string> LogTextAsync(int id)
    {
        var lines = await Client.GetFromJsonAsync<List<RunLogEntry>>($"/api/runs/{id}/logs?tail=500", Json);
        return string.Join('\n', lines!.Select(l => $"[{l.Level}] {l.Text}"));
    }

    public async Task<List<MetricValue>> MetricsAsync(int id, string? name = null)
        => (await Client.GetFromJsonAsync<List<MetricValue>>($"/api/runs/{id}/metrics{(name is null ? "" : "?name=" + name)}", Json))!;

    /// The process id and start time the portal recorded for the run (read from the database file).
    public (int Pid, DateTime? Started)? ProcessOf(int id)
    {
        using var db = new PhoenixDbContext(new DbContextOptionsBuilder<PhoenixDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = DatabaseFile }.ToString()).Options);
        var run = db.Runs.AsNoTracking().Single(r => r.Id == id);
        return run.ProcessId is int pid ? (pid, run.ProcessStartedAt) : null;
    }

    /// Freezes process <paramref name="pid"/> (SIGSTOP) so that it stays where it is until it is killed.
    public static void Freeze(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-STOP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// A SignalR connection to /hubs/training that records the "event" and "status" messages it receives.
    public async Task<HubRecorder> ConnectHubAsync()
    {
        var connection = PortalHubs.Connect(new Uri(BaseAddress, "hubs/training"));
        var recorder = new HubRecorder(connection);
        await connection.StartAsync();
        return recorder;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    public sealed class HubRecorder : IAsyncDisposable
    {
        public HubRecorder(HubConnection connection)
        {
            Connection = connection;
            connection.On<JsonElement>("event", e => Events.Enqueue(e));
            connection.On<JsonElement>("status", s => Statuses.Enqueue(s));
        }

        public HubConnection Connection { get; }
        public ConcurrentQueue<JsonElement> Events { get; } = new();
        public ConcurrentQueue<JsonElement> Statuses { get; } = new();

        /// Waits until an event of <paramref name="type"/> for run <paramref name="runId"/> arrived.
        public async Task<JsonElement> WaitForEventAsync(int runId, string type)
        {
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                foreach (var e in Events)
                    if (e.GetProperty("runId").GetInt32() == runId && e.GetProperty("type").GetString() == type)
                        return e;
                await Task.Delay(50);
            }
            Assert.Fail($"no '{type}' event of run {runId} over SignalR; got {Events.Count} events");
            return default;
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
