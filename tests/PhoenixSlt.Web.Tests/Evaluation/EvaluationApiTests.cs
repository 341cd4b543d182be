using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// Evaluation through the portal on real Kestrel: a tiny slt run makes a checkpoint, `phoenix-slt evaluate`
/// processes translate the dev split twice (1 and 2 beams), the comparison reports both BLEU values, the paired
/// bootstrap and the per-sentence table.
public sealed class EvaluationApiTests(TrainingDatasetFixture data) : IClassFixture<TrainingDatasetFixture>, IDisposable
{
    private static readonly TimeSpan EvaluationTimeout = TimeSpan.FromMinutes(4);
    private readonly string _state = TestPaths.NewTempDir("phoenix-evaluation-state");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    [Fact]
    public async Task EvaluateTwiceAndCompare_TinySltCheckpoint_BothBleuValuesAndSentenceTable()
    {
        await using var host = new TrainingTestHost(data, _state);
        var created = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 2));
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Completed, "completed");
        var checkpoints = await host.Client.GetFromJsonAsync<List<CheckpointInfo>>($"/api/checkpoints?runId={run.Id}", TrainingTestHost.Json);
        var best = checkpoints!.Single(c => c.Path == run.BestCheckpoint);

        var greedy = await EvaluateAsync(host, best.Id, new EvaluationRequest { Split = "dev", Beams = 1 });
        var beam2 = await EvaluateAsync(host, best.Id, new EvaluationRequest { Split = "dev", Beams = 2 });
        var first = await WaitCompletedAsync(host, greedy.Id);
        var second = await WaitCompletedAsync(host, beam2.Id);

        var references = PhoenixCorpus.Load(new DatasetLayout(Path.Combine(data.Root, TrainingDatasetFixture.DatasetName)).AnnotationsDir, "dev");
        foreach (var details in new[] { first, second })
        {
            Assert.Equal((8, "synth", "dev"), (details.Evaluation.Clips, details.Evaluation.Dataset, details.Evaluation.Split));
            Assert.Equal(references.Select(r => r.Translation), details.Sentences.Select(s => s.Reference));
            Assert.Equal(references.Select(r => r.Name), details.Sentences.Select(s => s.Name));
            string[] hyps = [.. details.Sentences.Select(s => s.Hypothesis)];
            Assert.Equal(BleuMetric.CorpusScore(hyps, [references.Select(r => r.Translation).ToArray()]).Score, details.Evaluation.SacreBleu!.Value, 9);
            Assert.All(details.Sentences, s => Assert.Equal(BleuMetric.SentenceScore(s.Hypothesis, [s.Reference]).Score, s.SentenceBleu, 9));
            Assert.All(new[] { details.Evaluation.Bleu1, details.Evaluation.Bleu4, details.Evaluation.RougeL, details.Evaluation.Chrf },
                m => Assert.InRange(m!.Value, 0, 100));
        }
        Assert.Equal((1, 2), (first.Evaluation.Beams, second.Evaluation.Beams));

        var comparison = await host.Client.GetFromJsonAsync<EvaluationComparison>($"/api/compare?evaluations={greedy.Id},{beam2.Id}", TrainingTestHost.Json);
        Assert.Equal([greedy.Id, beam2.Id], comparison!.Systems.Select(s => s.Evaluation.Id));
        Assert.Equal(first.Evaluation.SacreBleu!.Value, comparison.Systems[0].Bleu.Score, 9);
        Assert.Equal(second.Evaluation.SacreBleu!.Value, comparison.Systems[1].Bleu.Score, 9);
        Assert.Null(comparison.Systems[0].PValue);
        Assert.InRange(comparison.Systems[1].PValue!.Value, 1.0 / 1001, 1.0);
        Assert.Equal(second.Evaluation.SacreBleu.Value - first.Evaluation.SacreBleu.Value, comparison.Systems[1].Difference!.Value, 9);
        Assert.Equal(8, comparison.Rows.Count);
        for (int i = 0; i < 8; i++)
        {
            var row = comparison.Rows[i];
            Assert.Equal(references[i].Translation, row.Reference);
            Assert.Equal([first.Sentences[i].Hypothesis, second.Sentences[i].Hypothesis], row.Hypotheses);
            Assert.Equal(row.SentenceBleu[1] - row.SentenceBleu[0], row.Difference, 9);
        }
        Assert.Equal((1000, 12345), (comparison.Resamples, comparison.Seed));

        var listed = await host.Client.GetFromJsonAsync<List<EvaluationInfo>>("/api/evaluations", TrainingTestHost.Json);
        Assert.Equal([beam2.Id, greedy.Id], listed!.Select(e => e.Id));
    }

    [Fact]
    public async Task Api_InvalidRequests_AnswerWithSpecificMessages()
    {
        await using var host = new TrainingTestHost(data, _state);

        using var missing = await host.Client.PostAsJsonAsync("/api/checkpoints/999/evaluate", new EvaluationRequest(), TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var single = await host.Client.GetAsync("/api/compare?evaluations=1");
        Assert.Equal(HttpStatusCode.NotFound, single.StatusCode);
        using var garbage = await host.Client.GetAsync("/api/compare?evaluations=a,b");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);

        string folder = Path.Combine(_state, "mbart");
        Directory.CreateDirectory(folder);
        const string config = """{"d_model": 16}""";
        await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), config);
        using var incomplete = await host.Client.PostAsJsonAsync("/api/checkpoints/import-mbart", new { path = folder }, TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        var problem = await incomplete.Content.ReadFromJsonAsync<ValidationProblemDetails>(TrainingTestHost.Json);
        Assert.Contains("model.safetensors, sentencepiece.bpe.model missing", problem!.Errors["path"][0], StringComparison.Ordinal);

        await File.WriteAllBytesAsync(Path.Combine(folder, "model.safetensors"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "sentencepiece.bpe.model"), [4, 5]);
        using var imported = await host.Client.PostAsJsonAsync("/api/checkpoints/import-mbart", new { path = folder }, TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var checkpoint = await imported.Content.ReadFromJsonAsync<CheckpointInfo>(TrainingTestHost.Json);
        Assert.Equal(("mbart", folder, config.Length + 3L + 2), (checkpoint!.Phase, checkpoint.Path, checkpoint.SizeBytes));
        var all = await host.Client.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints", TrainingTestHost.Json);
        Assert.Contains(all!, c => c.Id == checkpoint.Id && c.Phase == "mbart");

        using var notSlt = await host.Client.PostAsJsonAsync($"/api/checkpoints/{checkpoint.Id}/evaluate", new EvaluationRequest(), TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.BadRequest, notSlt.StatusCode);
        var notSltProblem = await notSlt.Content.ReadFromJsonAsync<ValidationProblemDetails>(TrainingTestHost.Json);
        Assert.Contains("only slt checkpoints translate", notSltProblem!.Errors["checkpoint"][0], StringComparison.Ordinal);
    }

    private static async Task<EvaluationInfo> EvaluateAsync(TrainingTestHost host, int checkpointId, EvaluationRequest request)
    {
        using var response = await host.Client.PostAsJsonAsync($"/api/checkpoints/{checkpointId}/evaluate", request, TrainingTestHost.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EvaluationInfo>(TrainingTestHost.Json))!;
    }

    private static async Task<EvaluationDetails> WaitCompletedAsync(TrainingTestHost host, int id)
    {
        DateTime deadline = DateTime.UtcNow + EvaluationTimeout;
        while (true)
        {
            var details = (await host.Client.GetFromJsonAsync<EvaluationDetails>($"/api/evaluations/{id}", TrainingTestHost.Json))!;
            if (details.Evaluation.Status == JobStatus.Completed)
                return details;
            if (details.Evaluation.Status == JobStatus.Failed || DateTime.UtcNow > deadline)
                Assert.Fail($"evaluation {id}: {details.Evaluation.Status} {details.Evaluation.Error}");
            await Task.Delay(200);
        }
    }
}
