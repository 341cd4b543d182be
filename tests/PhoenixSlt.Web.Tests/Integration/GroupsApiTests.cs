using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Integration;

/// Run groups through the REST API on real Kestrel: POST /api/groups queues seeds, sweeps and the ablation, the
/// supervisor trains the members in real `phoenix-slt train` processes on a tiny synthetic dataset, and
/// GET /api/groups/{id} summarises them.
public sealed class GroupsApiTests(TrainingDatasetFixture data) : IClassFixture<TrainingDatasetFixture>, IDisposable
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-groups-state");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    private static async Task<RunGroupInfo> CreateAsync(TrainingTestHost host, string body)
    {
        using var response = await host.Client.PostAsync("/api/groups", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RunGroupInfo>(TrainingTestHost.Json))!;
    }

    private static async Task<RunGroupInfo> GetAsync(TrainingTestHost host, int id)
        => (await host.Client.GetFromJsonAsync<RunGroupInfo>($"/api/groups/{id}", TrainingTestHost.Json))!;

    private static async Task<List<RunInfo>> CompleteAllAsync(TrainingTestHost host, RunGroupInfo group)
    {
        var runs = new List<RunInfo>();
        foreach (var run in group.Runs)
            runs.Add(await host.WaitForAsync(run.Id, r => r.Status == JobStatus.Completed, "completed"));
        return runs;
    }

    /// Sample standard deviation of two values: |a − b| / √2.
    private static double Sd(double a, double b) => Math.Abs(a - b) / Math.Sqrt(2);

    [Fact]
    public async Task CreateGroup_TwoSeeds_CompletesAndShowsBleuMeanAndSdOverBothRuns()
    {
        await using var host = new TrainingTestHost(data, _state);
        var spec = TrainingTestHost.TinySlt(maxSteps: 4);
        spec.Seed = 5;

        var created = await CreateAsync(host, $$"""{"kind":"seeds","name":"api seeds","spec":{{RunSpecJson.Write(spec)}},"seedCount":2}""");

        Assert.Equal((RunGroupKinds.Seeds, "api seeds", 2), (created.Kind, created.Name, created.Runs.Count));
        Assert.Equal([5, 6], created.Definition.Seeds);
        var runs = await CompleteAllAsync(host, created);
        var seeds = new List<int>();
        foreach (var run in runs)
            seeds.Add((await host.Client.GetFromJsonAsync<RunDetails>($"/api/runs/{run.Id}", TrainingTestHost.Json))!.Config.Seed);
        Assert.Equal([5, 6], seeds);

        var group = await GetAsync(host, created.Id);
        var setting = Assert.Single(group.Settings);
        double[] bleu = [.. runs.Select(r => r.BestBleu4!.Value)];
        MeanSd summary = setting.Bleu4!;
        Assert.Equal(2, summary.Count);
        Assert.Equal((bleu[0] + bleu[1]) / 2, summary.Mean, 9);
        Assert.Equal(Sd(bleu[0], bleu[1]), summary.Sd!.Value, 9);
        Assert.True(setting.Metrics.ContainsKey("val_loss") || setting.Metrics.ContainsKey("rouge_l"), string.Join(",", setting.Metrics.Keys));
        Assert.Equal(new Dictionary<string, int> { ["completed"] = 2 }, group.StatusCounts);
        Assert.False(group.IsActive);
        var listed = (await host.Client.GetFromJsonAsync<List<RunGroupInfo>>("/api/groups", TrainingTestHost.Json))!;
        Assert.Equal([created.Id], listed.Select(g => g.Id));
    }

    [Fact]
    public async Task CreateGroup_GridOfTwoPoints_BothRunsCompleteAndSettingsAreSortedByBleu()
    {
        await using var host = new TrainingTestHost(data, _state);
        var spec = TrainingTestHost.TinySlt(maxSteps: 4);

        var created = await CreateAsync(host, $$$"""
            {"kind":"sweep","spec":{{{RunSpecJson.Write(spec)}}},"seeds":[3],
             "sweep":{"mode":"grid","parameters":[{"field":"lr_encoder","values":["0.003","0.0001"]}]}}
            """);

        Assert.Equal(["lr_encoder=0.003", "lr_encoder=0.0001"], created.Runs.Select(r => r.GroupLabel));
        var runs = await CompleteAllAsync(host, created);
        var group = await GetAsync(host, created.Id);

        Assert.Equal(2, group.Settings.Count);
        Assert.All(group.Runs, r => Assert.Equal(JobStatus.Completed, r.Status));
        // each setting is its one run; best dev BLEU-4 first (ties by label)
        foreach (var setting in group.Settings)
        {
            var run = runs.Single(r => r.GroupLabel == setting.Label);
            Assert.Equal([run.Id], setting.RunIds);
            Assert.Equal((run.BestBleu4!.Value, (double?)null, 1), (setting.Bleu4!.Mean, setting.Bleu4.Sd, setting.Bleu4.Count));
        }
        var expectedOrder = group.Settings.OrderByDescending(s => s.Bleu4!.Mean).ThenBy(s => s.Label, StringComparer.Ordinal).Select(s => s.Label);
        Assert.Equal(expectedOrder, group.Settings.Select(s => s.Label));
        var lrs = new List<double?>();
        foreach (var run in runs)
            lrs.Add((await host.Client.GetFromJsonAsync<RunDetails>($"/api/runs/{run.Id}", TrainingTestHost.Json))!.Config.LrEncoder);
        Assert.Equal([0.003, 0.0001], lrs);
    }

    [Fact]
    public async Task CreateGroup_Ablation_QueuesBothArmsAtTheSameBudgetThenCancels()
    {
        await using var host = new TrainingTestHost(data, _state);
        var spec = TrainingTestHost.TinySlt(maxSteps: 200);

        var created = await CreateAsync(host, $$"""{"kind":"ablation","spec":{{RunSpecJson.Write(spec)}},"seedCount":1}""");

        Assert.Equal([TrainingPhaseNames.Slt, TrainingPhaseNames.Pipeline], created.Runs.Select(r => r.Phase));
        Assert.Equal([RunGroupPlan.ScratchArm, RunGroupPlan.PipelineArm], created.Runs.Select(r => r.GroupLabel));
        var configs = new List<RunSpec>();
        foreach (var run in created.Runs)
            configs.Add((await host.Client.GetFromJsonAsync<RunDetails>($"/api/runs/{run.Id}", TrainingTestHost.Json))!.Config);
        Assert.All(configs, c => Assert.Equal(((long?)200, (int?)null, spec.Seed), (c.MaxSteps, c.Epochs, c.Seed)));

        await host.WaitForAsync(created.Runs[0].Id, r => r.Status == JobStatus.Running, "running");
        using var cancel = await host.Client.PostAsync($"/api/groups/{created.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var stopped = (await cancel.Content.ReadFromJsonAsync<List<int>>())!;
        Assert.Equal(created.Runs.Select(r => r.Id).Order(), stopped.Order());
        foreach (var run in created.Runs)
            await host.WaitForAsync(run.Id, r => r.Status == JobStatus.Cancelled, "cancelled");
        var group = await GetAsync(host, created.Id);
        Assert.False(group.IsActive);
        using var missing = await host.Client.PostAsync("/api/groups/999/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task CreateGroup_InvalidSweepValue_Returns400AndQueuesNothing()
    {
        // no training here: the request is refused before anything is queued
        await using var host = new TrainingTestHost(data, _state);
        var spec = TrainingTestHost.TinySlt(maxSteps: 4);
        string expected = RunSpecFields.Get("beams").Check(0)!;

        using var response = await host.Client.PostAsync("/api/groups", new StringContent($$$"""
            {"kind":"sweep","spec":{{{RunSpecJson.Write(spec)}}},"sweep":{"mode":"grid","parameters":[{"field":"beams","values":["1","0"]}]}}
            """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!;
        Assert.Equal([expected], problem.Errors[RunGroupService.SweepField]);
        Assert.Empty((await host.Client.GetFromJsonAsync<List<RunInfo>>("/api/runs", TrainingTestHost.Json))!);
        Assert.Empty((await host.Client.GetFromJsonAsync<List<RunGroupInfo>>("/api/groups", TrainingTestHost.Json))!);
    }
}
