using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Integration;
using PhoenixSlt.Web.Tests.Translation;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// POST /api/evaluations/{id}/cancel on real Kestrel; the fixture's slt checkpoint is copied under the checkpoint
/// root before the start (the start scan registers it), and the cpu slot is held so that evaluations stay queued.
[Collection(SltCheckpointCollection.Name)]
public sealed class EvaluationCancelApiTests(SltCheckpointFixture fixture) : IAsyncLifetime
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-evaluation-cancel");
    private PhoenixWebFactory _factory = null!;
    private HttpClient _client = null!;
    private IDisposable? _slot;

    public async Task InitializeAsync()
    {
        string copy = Path.Combine(_state, "checkpoints", "imported", "best");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(fixture.Checkpoint))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        _factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = Path.GetDirectoryName(fixture.DataDir),
            ["Phoenix:DefaultDataset"] = Path.GetFileName(fixture.DataDir),
            ["Phoenix:CheckpointRoot"] = Path.Combine(_state, "checkpoints"),
            ["Phoenix:Database"] = Path.Combine(_state, "phoenix.db"),
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
            ["Phoenix:Training:Environment:OMP_NUM_THREADS"] = "1",
        });
        _client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        _slot = _factory.Services.GetRequiredService<TrainingSupervisor>().Slots.TryAcquire(["cpu"]);
        Assert.NotNull(_slot);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _slot?.Dispose();
        _client.Dispose();
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    private async Task<EvaluationInfo> QueueAsync()
    {
        var checkpoints = await _client.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints", TrainingTestHost.Json);
        var checkpoint = Assert.Single(checkpoints!, c => c.Phase == TrainingPhaseNames.Slt);
        using var response = await _client.PostAsJsonAsync($"/api/checkpoints/{checkpoint.Id}/evaluate", new EvaluationRequest { Split = "dev", Beams = 1 }, TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EvaluationInfo>(TrainingTestHost.Json))!;
    }

    [Fact]
    public async Task Cancel_QueuedEvaluation_202WithTheCancelledEvaluationThen409()
    {
        var queued = await QueueAsync();
        Assert.Equal(JobStatus.Queued, queued.Status);

        using var cancel = await _client.PostAsync($"/api/evaluations/{queued.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal($"/api/evaluations/{queued.Id}", cancel.Headers.Location!.OriginalString);
        var body = await cancel.Content.ReadFromJsonAsync<EvaluationInfo>(TrainingTestHost.Json);
        Assert.Equal((queued.Id, JobStatus.Cancelled), (body!.Id, body.Status));
        var stored = await _client.GetFromJsonAsync<EvaluationDetails>($"/api/evaluations/{queued.Id}", TrainingTestHost.Json);
        Assert.Equal(JobStatus.Cancelled, stored!.Evaluation.Status);

        using var again = await _client.PostAsync($"/api/evaluations/{queued.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<ProblemDetailsText>(TrainingTestHost.Json);
        Assert.Equal($"Evaluation {queued.Id} is cancelled; only queued or running evaluations can be cancelled.", problem!.Error);
    }

    [Fact]
    public async Task Cancel_UnknownEvaluation_404()
    {
        using var response = await _client.PostAsync("/api/evaluations/999/cancel", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetailsText>(TrainingTestHost.Json);
        Assert.Equal("Evaluation 999 does not exist.", problem!.Error);
    }

    [Fact]
    public async Task Cancel_ViewerApiKey_403AndTheEvaluationStaysQueued()
    {
        var queued = await QueueAsync();
        var users = _factory.Services.GetRequiredService<UserStore>();
        var viewer = await users.CreateAsync("viewer", "a viewer password", PortalRoles.Viewer);
        Assert.Null(viewer.Error);
        var (created, key) = await users.CreateApiKeyAsync(viewer.User!.Id);
        Assert.Null(created.Error);
        using var client = PhoenixWebFactory.ApiClient(_client.BaseAddress!, key!);

        using var response = await client.PostAsync($"/api/evaluations/{queued.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var stored = await client.GetFromJsonAsync<EvaluationDetails>($"/api/evaluations/{queued.Id}", TrainingTestHost.Json);
        Assert.Equal(JobStatus.Queued, stored!.Evaluation.Status);        // viewers read, but cannot cancel
    }
}
