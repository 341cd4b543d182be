using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR.Client;
using PhoenixSlt.Tests;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Integration;

/// Training through the portal on real Kestrel: the REST API queues runs, the supervisor trains them in
/// `phoenix-slt train` processes on a tiny synthetic dataset, SignalR streams the events, a Sqlite file keeps them.
public sealed class TrainingApiTests(TrainingDatasetFixture data) : IClassFixture<TrainingDatasetFixture>, IDisposable
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-training-state");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    [Fact]
    public async Task CreateRun_TinySlt_CompletesWithEventsOverSignalRAndPersistedMetrics()
    {
        await using var host = new TrainingTestHost(data, _state);
        await using var hub = await host.ConnectHubAsync();
        await hub.Connection.InvokeAsync("JoinAllRuns");

        var created = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 4));
        await hub.Connection.InvokeAsync("JoinRun", created.Id);
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Completed, "completed");

        // 4 optimizer steps with a step event at each; 24 training samples in batches of 4 make 6 steps per epoch,
        // so the only validation is the one after the last step.
        string stageFolder = Path.Combine(run.OutputFolder, "slt");
        Assert.Equal((4L, 4L, 1), (run.ProgressStep, run.ProgressTotal!.Value, run.Attempts));
        Assert.Equal(Path.Combine(stageFolder, "best"), run.BestCheckpoint);
        Assert.Equal("bleu4", run.BestMetricName);
        var losses = await host.MetricsAsync(run.Id, "loss");
        Assert.Equal([1L, 2L, 3L, 4L], losses.Select(m => m.Step));
        Assert.All(losses, m => Assert.True(double.IsFinite(m.Value) && m.Value > 0));
        var validation = Assert.Single(await host.MetricsAsync(run.Id, "val_loss"));
        Assert.Equal(4, validation.Step);

        string csv = await host.Client.GetStringAsync($"/api/runs/{run.Id}/metrics?format=csv");
        var all = await host.MetricsAsync(run.Id);
        Assert.Equal(1 + all.Count, csv.TrimEnd('\n').Split('\n').Length);

        var checkpoints = await host.Client.GetFromJsonAsync<List<CheckpointInfo>>($"/api/checkpoints?runId={run.Id}", TrainingTestHost.Json);
        Assert.Equal([Path.Combine(stageFolder, "best"), Path.Combine(stageFolder, "last")], checkpoints!.Select(c => c.Path).Order());
        Assert.All(checkpoints!, c => Assert.Equal(("slt", 4L), (c.Phase, c.Step)));

        var finished = await hub.WaitForEventAsync(run.Id, "finished");
        Assert.Equal("slt", finished.GetProperty("stage").GetString());
        Assert.Equal("finished", finished.GetProperty("event").GetProperty("type").GetString());
        Assert.Equal(4, finished.GetProperty("event").GetProperty("step").GetInt64());
        var eval = await hub.WaitForEventAsync(run.Id, "eval");
        Assert.True(eval.GetProperty("event").GetProperty("metrics").TryGetProperty("bleu4", out _));
        // the validation reported its 8 dev clips over SignalR (0 first, all last); the stored state ended with it
        var progress = hub.Events.Where(e => e.GetProperty("runId").GetInt32() == run.Id && e.GetProperty("type").GetString() == "validation_progress")
            .Select(e => e.GetProperty("event")).ToList();
        Assert.True(progress.Count >= 2, $"{progress.Count} validation_progress events");
        Assert.Equal(0, progress[0].GetProperty("clips_done").GetInt32());
        Assert.Equal((8, 8), (progress[^1].GetProperty("clips_done").GetInt32(), progress[^1].GetProperty("clips_total").GetInt32()));
        Assert.Equal((int?)null, run.ValidationTotal);
        Assert.Contains(hub.Statuses, s => s.GetProperty("id").GetInt32() == run.Id && s.GetProperty("status").GetString() == "completed");

        // the supervisor wrote the stored (resolved) spec to RUN/spec.json and trained the stage from it
        var (written, problems) = RunSpecJson.ReadFile(Path.Combine(run.OutputFolder, RunSpecJson.FileName));
        Assert.True(problems.IsValid, string.Join("; ", problems.Messages));
        var details = (await host.Client.GetFromJsonAsync<RunDetails>($"/api/runs/{run.Id}", TrainingTestHost.Json))!;
        // the stored spec leaves threads empty; the stage got the portal's budget share (the host's defaults)
        Assert.Null(details.Config.Threads);
        Assert.Equal(new TrainingOptions().ThreadsFor(details.Config), written.Threads);
        Assert.Equal(details.Config with { Threads = written.Threads }, written);
        var started = await hub.WaitForEventAsync(run.Id, "run_started");   // the process ran with that count
        Assert.Equal(written.Threads, started.GetProperty("event").GetProperty("config").GetProperty("trainer").GetProperty("threads").GetInt32());
        Assert.Equal((4L, 4, stageFolder), (written.MaxSteps!.Value, written.BatchSize, written.Out));

        string log = await host.LogTextAsync(run.Id);
        Assert.Contains("Starting the slt stage", log);
        Assert.Contains($"--spec {Path.Combine(run.OutputFolder, RunSpecJson.FileName)} --stage slt --events {Path.Combine(stageFolder, "events.jsonl")}", log);
        Assert.Contains("The run completed.", log);
        Assert.Null(host.ProcessOf(run.Id));
    }

    [Fact]
    public async Task CreateRun_InvalidSettings_Returns400WithTheFormsMessages()
    {
        await using var host = new TrainingTestHost(data, _state);
        var spec = TrainingTestHost.TinySlt(maxSteps: 4);
        spec.BatchSize = 0;
        spec.Data = "missing";
        // the portal's context: data names a dataset under the data root, out is the portal's to choose
        var expected = spec.Validate(new SpecContext { Datasets = [TrainingDatasetFixture.DatasetName], OutAssigned = true, AbsolutePathsOnly = true });

        using var response = await host.PostSpecAsync(RunSpecJson.Write(spec));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Equal(["batch_size", "data"], problem!.Errors.Keys.Order());
        Assert.Equal(expected.For("batch_size"), problem.Errors["batch_size"]);
        Assert.Equal(expected.For("data"), problem.Errors["data"]);
        Assert.Empty((await host.Client.GetFromJsonAsync<List<RunInfo>>("/api/runs", TrainingTestHost.Json))!);
    }

    [Fact]
    public async Task CreateRun_UnknownFieldAndNotANumber_Returns400KeyedByTheFieldsAsSent()
    {
        await using var host = new TrainingTestHost(data, _state);
        const string body = """{"phase":"slt","data":"synth","batchsize":4,"batch_size":"abc"}""";
        var expected = RunSpecJson.Read(body).Problems;

        using var response = await host.PostSpecAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Equal(["batch_size", "batchsize"], problem!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.For("batchsize"), problem.Errors["batchsize"]);
        Assert.Equal(expected.For("batch_size"), problem.Errors["batch_size"]);
        Assert.Contains("not a setting", problem.Errors["batchsize"][0]);
        Assert.Contains("'abc' is not a whole number", problem.Errors["batch_size"][0]);
        Assert.Empty((await host.Client.GetFromJsonAsync<List<RunInfo>>("/api/runs", TrainingTestHost.Json))!);
    }

    [Fact]
    public async Task GetRun_Created_ReturnsTheResolvedConfigWithSnakeCaseNames()
    {
        // No training here: without the CLI the run fails at once, its stored settings stay.
        string missing = Path.Combine(_state, "nowhere", "phoenix-slt.dll");
        await using var host = new TrainingTestHost(data, _state, new Dictionary<string, string?> { ["Phoenix:Training:CliPath"] = missing });
        using var created = await host.PostSpecAsync("""{"phase":"slt","data":"synth","max_steps":4,"batch_size":2,"lr_encoder":0.0003,"epochs":null}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var run = (await created.Content.ReadFromJsonAsync<RunInfo>(TrainingTestHost.Json))!;

        string json = await host.Client.GetStringAsync($"/api/runs/{run.Id}");

        using var document = JsonDocument.Parse(json);
        var config = document.RootElement.GetProperty("config");
        var names = config.EnumerateObject().Select(p => p.Name).ToList();
        // exactly the spec's fields, by their snake_case names (as POSTed and as `train --spec` reads them)
        Assert.Equal(RunSpecFields.All.Select(f => f.Name).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Contains("batch_size", names);
        Assert.Contains("max_steps", names);
        Assert.Contains("lr_encoder", names);
        Assert.DoesNotContain("batchSize", names);
        Assert.DoesNotContain("maxSteps", names);
        Assert.Equal(2, config.GetProperty("batch_size").GetInt32());
        Assert.Equal(4, config.GetProperty("max_steps").GetInt64());
        Assert.Equal(3e-4, config.GetProperty("lr_encoder").GetDouble());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("epochs").ValueKind);
        Assert.Equal("slt", config.GetProperty("phase").GetString());
        // resolved: the dataset's folder, the run's out folder
        Assert.Equal(Path.Combine(data.Root, TrainingDatasetFixture.DatasetName), config.GetProperty("data").GetString());
        Assert.Equal(Path.Combine(run.OutputFolder, "slt"), config.GetProperty("out").GetString());
        // the rest of the response keeps the API's camelCase
        Assert.Equal(run.OutputFolder, document.RootElement.GetProperty("run").GetProperty("outputFolder").GetString());
        var details = JsonSerializer.Deserialize<RunDetails>(json, TrainingTestHost.Json)!;
        Assert.Equal((2, 4L, (int?)null), (details.Config.BatchSize, details.Config.MaxSteps, details.Config.Epochs));
    }

    [Fact]
    public async Task Api_OpenApiDocumentAndUnknownRuns_DescribeAndRefuse()
    {
        await using var host = new TrainingTestHost(data, _state);

        string openApi = await host.Client.GetStringAsync("/openapi/v1.json");
        using var notFound = await host.Client.PostAsync("/api/runs/12345/cancel", null);
        using var badStatus = await host.Client.GetAsync("/api/runs?status=sleeping");

        using var document = JsonDocument.Parse(openApi);
        var pathNames = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/runs", pathNames);
        Assert.Contains("/api/runs/{id}/cancel", pathNames);
        Assert.Contains("/api/runs/{id}/resume", pathNames);
        Assert.Contains("/api/runs/{id}/metrics", pathNames);
        Assert.Contains("/api/checkpoints", pathNames);
        // POST /api/runs takes the run spec: every field under its snake_case name, described from the field table
        var body = document.RootElement.GetProperty("paths").GetProperty("/api/runs").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        string reference = body.GetProperty("$ref").GetString()!;
        var schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/')[^1]);
        var properties = schema.GetProperty("properties");
        Assert.Equal(RunSpecFields.All.Select(f => f.Name).Order(), properties.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(RunSpecFields.Get("batch_size").Description, properties.GetProperty("batch_size").GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task CancelRun_WhileTraining_StopsTheProcessGracefullyAndEndsCancelled()
    {
        await using var host = new TrainingTestHost(data, _state);
        var created = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 5000));
        await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Running && r.ProgressStep >= 2, "two steps");
        var process = host.ProcessOf(created.Id);
        Assert.NotNull(process);

        using var response = await host.Client.PostAsync($"/api/runs/{created.Id}/cancel", null);
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Cancelled, "cancelled");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(run.ProgressStep < 5000);
        Assert.False(new ProcessControl().IsRunning(process.Value.Pid, process.Value.Started));
        string log = await host.LogTextAsync(run.Id);
        Assert.Contains("SIGTERM", log);
        Assert.DoesNotContain("did not stop within", log);
        Assert.Contains("The run was cancelled.", log);
        using var again = await host.Client.PostAsync($"/api/runs/{created.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task RestartHost_RunningRun_IsInterruptedAndResumesToCompletion()
    {
        const long steps = 30;
        RunInfo created;
        (int Pid, DateTime? Started)? process;
        await using (var first = new TrainingTestHost(data, _state))
        {
            var request = TrainingTestHost.TinySlt(steps);
            request.SaveEvery = 3;
            created = await first.CreateRunAsync(request);
            string trainerState = Path.Combine(created.OutputFolder, "slt", "last", "trainer_state.json");
            await first.WaitForAsync(created.Id, r => r.Status == JobStatus.Running && File.Exists(trainerState), "a resumable last/ checkpoint");
            process = first.ProcessOf(created.Id);
            Assert.NotNull(process);
            // Frozen, the process cannot finish the run before the portal stops; stopping the portal kills it.
            TrainingTestHost.Freeze(process.Value.Pid);
        }

        Assert.False(new ProcessControl().IsRunning(process.Value.Pid, process.Value.Started));
        await using var second = new TrainingTestHost(data, _state);
        var interrupted = await second.GetRunAsync(created.Id);
        Assert.Equal(JobStatus.Interrupted, interrupted.Status);
        Assert.True(interrupted.ProgressStep < steps);

        using var resume = await second.Client.PostAsync($"/api/runs/{created.Id}/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        var run = await second.WaitForAsync(created.Id, r => r.Status == JobStatus.Completed, "completed after resume");

        Assert.Equal((steps, 2), (run.ProgressStep, run.Attempts));
        string log = await second.LogTextAsync(run.Id);
        Assert.Contains("Resuming the slt stage", log);
        Assert.Contains("--resume", log);
        // Every step was trained (and logged) in one of the two attempts.
        var lossSteps = (await second.MetricsAsync(run.Id, "loss")).Select(m => m.Step).ToHashSet();
        Assert.Equal(Enumerable.Range(1, (int)steps).Select(i => (long)i), lossSteps.Order());
    }
}
