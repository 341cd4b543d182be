using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Tests;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Integration;

/// GET /api/runs/compare, the annotations endpoints and ?tag= on real Kestrel over a real Sqlite file; the runs are
/// stored as the supervisor leaves completed runs.
public sealed class RunComparisonApiTests : IAsyncLifetime
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-compare-api");
    private PhoenixWebFactory _factory = null!;
    private HttpClient _client = null!;
    private int _small, _large;

    public Task InitializeAsync()
    {
        _factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:Database"] = Path.Combine(_state, "phoenix.db"),
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        _client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        var contexts = _factory.Services.GetRequiredService<IDbContextFactory<PhoenixDbContext>>();
        _small = ComparisonSeed.SaveCompletedRun(contexts, new RunSpec { Name = "small batch", BatchSize = 4, LrEncoder = 1e-4 },
            new Dictionary<string, double> { ["bleu4"] = 9.5, ["val_loss"] = 3.0, ["chrf"] = 20 });
        _large = ComparisonSeed.SaveCompletedRun(contexts, new RunSpec { Name = "large batch", BatchSize = 16, LrEncoder = 1e-4 },
            new Dictionary<string, double> { ["bleu4"] = 12.0, ["val_loss"] = 3.5 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    [Fact]
    public async Task Compare_TwoRuns_SettingsDifferencesBestMetricsAndParallelRows()
    {
        var comparison = await _client.GetFromJsonAsync<RunComparison>($"/api/runs/compare?ids={_large},{_small}", TrainingTestHost.Json);

        Assert.Equal([_large, _small], comparison!.Runs.Select(r => r.Id));
        Assert.Equal(["large batch", "small batch"], comparison.Runs.Select(r => r.Name));
        var differing = comparison.Settings.Where(s => s.Differs).ToList();
        var batch = Assert.Single(differing);
        Assert.Equal("batch_size", batch.Name);
        Assert.Equal(["16", "4"], batch.Values);
        Assert.Equal(["0.0001", "0.0001"], comparison.Settings.Single(s => s.Name == "lr_encoder").Values);

        var bleu = comparison.Metrics.Single(m => m.Name == "bleu4");
        Assert.Equal([12.0, 9.5], bleu.Values);
        Assert.True(bleu.HigherIsBetter);
        Assert.Equal([0], bleu.Best);
        var loss = comparison.Metrics.Single(m => m.Name == "val_loss");
        Assert.False(loss.HigherIsBetter);
        Assert.Equal([1], loss.Best);
        var chrf = comparison.Metrics.Single(m => m.Name == "chrf");
        Assert.Equal([null, 20.0], chrf.Values);

        Assert.Equal(["batch_size"], comparison.Dimensions);
        Assert.Equal([16.0, 4.0], comparison.Parallel.Select(p => Assert.Single(p.Values)!.Value));
        Assert.Equal([12.0, 9.5], comparison.Parallel.Select(p => p.Bleu4!.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?ids=1")]
    [InlineData("?ids=1,abc")]
    public async Task Compare_FewerThanTwoOrMalformedIds_400Problem(string query)
    {
        using var response = await _client.GetAsync($"/api/runs/compare{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("errors").GetProperty("ids").ValueKind);
    }

    [Fact]
    public async Task Compare_UnknownRun_404NamingIt()
    {
        using var response = await _client.GetAsync($"/api/runs/compare?ids={_small},{_large + 100}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"Run {_large + 100} does not exist.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnnotateRun_ThenGetAndFilterByTag_ShowTheTagsAndNotes()
    {
        using var patched = await _client.PatchAsJsonAsync($"/api/runs/{_small}/annotations", new { tags = new[] { "baseline", "Batch-4" }, notes = "reference run" });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);

        var details = await _client.GetFromJsonAsync<RunDetails>($"/api/runs/{_small}", TrainingTestHost.Json);
        Assert.Equal(["baseline", "Batch-4"], details!.Run.Tags);
        Assert.Equal("reference run", details.Run.Notes);
        // the tag filter is case-insensitive
        var tagged = await _client.GetFromJsonAsync<List<RunInfo>>("/api/runs?tag=batch-4", TrainingTestHost.Json);
        Assert.Equal([_small], tagged!.Select(r => r.Id));
        var tags = await _client.GetFromJsonAsync<List<JsonElement>>("/api/runs/tags", TrainingTestHost.Json);
        Assert.Equal(["baseline", "Batch-4"], tags!.Select(t => t.GetProperty("tag").GetString()));
        // the comparison carries the tags too
        var comparison = await _client.GetFromJsonAsync<RunComparison>($"/api/runs/compare?ids={_small},{_large}", TrainingTestHost.Json);
        Assert.Equal(["baseline", "Batch-4"], comparison!.Runs[0].Tags);
    }

    [Fact]
    public async Task AnnotateRun_InvalidTag_400AndNothingStored()
    {
        using var patched = await _client.PatchAsJsonAsync($"/api/runs/{_small}/annotations", new { tags = new[] { "two words" } });

        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Contains("may only contain", await patched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var details = await _client.GetFromJsonAsync<RunDetails>($"/api/runs/{_small}", TrainingTestHost.Json);
        Assert.Empty(details!.Run.Tags);
    }

    [Fact]
    public async Task AnnotateRun_UnknownRun_404()
    {
        using var patched = await _client.PatchAsJsonAsync($"/api/runs/{_large + 100}/annotations", new { notes = "x" });

        Assert.Equal(HttpStatusCode.NotFound, patched.StatusCode);
    }

    [Fact]
    public async Task AnnotateCheckpoint_ThenList_ShowsTheTags()
    {
        var checkpoints = await _client.GetFromJsonAsync<List<CheckpointInfo>>($"/api/checkpoints?runId={_large}", TrainingTestHost.Json);
        var best = Assert.Single(checkpoints!);

        using var patched = await _client.PatchAsJsonAsync($"/api/checkpoints/{best.Id}/annotations", new { tags = new[] { "keep" }, notes = "ship it" });

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        var after = Assert.Single((await _client.GetFromJsonAsync<List<CheckpointInfo>>($"/api/checkpoints?runId={_large}", TrainingTestHost.Json))!);
        Assert.Equal(["keep"], after.Tags);
        Assert.Equal("ship it", after.Notes);
        // the tag filters the list (case-insensitive); the other run's checkpoint does not carry it
        var tagged = await _client.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints?tag=KEEP", TrainingTestHost.Json);
        Assert.Equal([best.Id], tagged!.Select(c => c.Id));
        Assert.Empty((await _client.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints?tag=other", TrainingTestHost.Json))!);
    }
}
