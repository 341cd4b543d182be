using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR.Client;
using PhoenixSlt.Tests;
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
        Assert.Contains(hub.Statuses, s => s.GetProperty("id").GetInt32() == run.Id && s.GetProperty("status").GetString() == "completed");

        string log = await host.LogTextAsync(run.Id);
        Assert.Contains("Starting the slt stage", log);
        Assert.Contains("The run completed.", log);
        Assert.Null(host.ProcessOf(run.Id));
    }

    [Fact]
    public async Task CreateRun_InvalidSettings_Returns400WithTheFormsMessages()
    {
        await using var host = new TrainingTestHost(data, _state);
        var request = TrainingTestHost.TinySlt(maxSteps: 4);
        request.BatchSize = 0;
        request.Dataset = "missing";
        var expected = RunRequestValidator.Validate(request, new RunValidationContext([TrainingDatasetFixture.DatasetName], Directory.Exists));

        using var response = await host.Client.PostAsJsonAsync("/api/runs", request, TrainingTestHost.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Equal(expected.For(nameof(RunRequest.BatchSize)), problem!.Errors["batchSize"]);
        Assert.Equal(expected.For(nameof(RunRequest.Dataset)), problem.Errors["dataset"]);
        Assert.Empty((await host.Client.GetFromJsonAsync<List<RunInfo>>("/api/runs", TrainingTestHost.Json))!);
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
