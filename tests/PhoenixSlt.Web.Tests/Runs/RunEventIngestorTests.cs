using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunEventIngestorTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 4, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Initialize_NewFile_UsesWriteAheadLogAndCreatesTheTables()
    {
        using var connection = new SqliteConnection($"Data Source={_database.FilePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'metric_points', 'run_log_lines', 'checkpoints') ORDER BY name;";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                tables.Add(reader.GetString(0));
        Assert.Equal(["checkpoints", "metric_points", "run_log_lines", "runs"], tables);
    }

    [Fact]
    public async Task ApplyAsync_StreamOfAnSltRun_PersistsMetricsProgressBestAndCheckpoints()
    {
        int runId = await AddRunAsync();
        string best = WriteCheckpoint("best", step: 2, bleu4: 11.5);
        string last = WriteCheckpoint("last", step: 2, bleu4: 11.5);
        var samples = new[] { new TranslationSample("dev_1", "es regnet .", "es schneit .") };
        ProgressEvent[] stream =
        [
            new RunStartedEvent("slt", JsonSerializer.SerializeToElement(new { preset = "tiny" }), 1, "cpu", 2) { Time = T0 },
            new StepEvent(1, 0, 5.5, new Dictionary<string, double> { ["encoder"] = 1e-4, ["decoder"] = 5e-6 }, 12.5, 30) { Time = T0.AddSeconds(1) },
            new StepEvent(2, 0, 4.25, new Dictionary<string, double> { ["encoder"] = 5e-5, ["decoder"] = 2.5e-6 }, 14, 0) { Time = T0.AddSeconds(2) },
            new EvalEvent { Step = 2, Epoch = 0, ValLoss = 3.5, Bleu4 = 11.5, Metrics = new Dictionary<string, double> { ["val_loss"] = 3.5, ["bleu4"] = 11.5, ["sacrebleu"] = 12 }, Samples = samples, Time = T0.AddSeconds(3) },
            new CheckpointEvent(best, new Dictionary<string, double> { ["val_loss"] = 3.5, ["bleu4"] = 11.5 }, true) { Time = T0.AddSeconds(4) },
            new CheckpointEvent(last, new Dictionary<string, double> { ["val_loss"] = 3.5, ["bleu4"] = 11.5 }, false) { Time = T0.AddSeconds(4) },
            new FinishedEvent(best, new Dictionary<string, double> { ["val_loss"] = 3.5, ["bleu4"] = 11.5 }) { Step = 2, ElapsedS = 4, Time = T0.AddSeconds(5) },
        ];

        var end = await IngestAsync(runId, "slt", stream);

        Assert.True(end.Finished);
        Assert.False(end.Failed);
        await using var db = _database.Create();
        var run = await db.Runs.SingleAsync();
        Assert.Equal((2L, 2L, 0, 14.0, 0.0), (run.ProgressStep, run.ProgressTotal!.Value, run.Epoch!.Value, run.SamplesPerSecond!.Value, run.EtaSeconds!.Value));
        Assert.Equal(("bleu4", 11.5, 11.5), (run.BestMetricName, run.BestMetricValue!.Value, run.BestBleu4!.Value));
        Assert.Equal(best, run.BestCheckpoint);
        Assert.Contains("es schneit .", run.LatestSamplesJson);

        var points = await db.MetricPoints.OrderBy(p => p.Id).ToListAsync();
        Assert.Equal([5.5, 4.25], points.Where(p => p.Name == "loss").Select(p => p.Value));
        Assert.Equal([1L, 2L], points.Where(p => p.Name == "loss").Select(p => p.Step));
        Assert.Equal([1e-4, 5e-5], points.Where(p => p.Name == "lr_encoder").Select(p => p.Value));
        Assert.Equal([5e-6, 2.5e-6], points.Where(p => p.Name == "lr_decoder").Select(p => p.Value));
        Assert.Equal([12.5, 14.0], points.Where(p => p.Name == "samples_per_s").Select(p => p.Value));
        Assert.Equal(3.5, points.Single(p => p.Name == "val_loss").Value);
        Assert.Equal(12.0, points.Single(p => p.Name == "sacrebleu").Value);
        Assert.All(points, p => Assert.Equal(("slt", runId), (p.Stage, p.RunId)));
        Assert.Equal(T0.AddSeconds(1).UtcDateTime, points[0].Time);
        Assert.Equal(DateTimeKind.Utc, points[0].Time.Kind);

        var checkpoints = await db.Checkpoints.OrderBy(c => c.Path).ToListAsync();
        Assert.Equal([best, last], checkpoints.Select(c => c.Path));
        Assert.Equal([true, false], checkpoints.Select(c => c.IsBest));
        Assert.All(checkpoints, c => Assert.Equal(("slt", 2L, (int?)runId), (c.Phase, c.Step, c.RunId)));
        Assert.All(checkpoints, c => Assert.True(c.SizeBytes > 0));
        Assert.Equal(11.5, RunStore.ReadMetrics(checkpoints[0].MetricsJson)["bleu4"]);
    }

    [Fact]
    public async Task ApplyAsync_LastCheckpointRewritten_UpdatesTheSameRow()
    {
        int runId = await AddRunAsync();
        string last = WriteCheckpoint("last", step: 2, bleu4: 1);
        await IngestAsync(runId, "slt", [new CheckpointEvent(last, new Dictionary<string, double> { ["bleu4"] = 1 }, false)]);
        Directory.Delete(last, recursive: true);
        last = WriteCheckpoint("last", step: 4, bleu4: 2);

        await IngestAsync(runId, "slt", [new CheckpointEvent(last, new Dictionary<string, double> { ["bleu4"] = 2 }, false)]);

        await using var db = _database.Create();
        var row = await db.Checkpoints.SingleAsync();
        Assert.Equal(4, row.Step);
        Assert.Equal(2, RunStore.ReadMetrics(row.MetricsJson)["bleu4"]);
    }

    [Fact]
    public async Task ApplyAsync_FailedEvent_EndsTheStageWithItsMessage()
    {
        int runId = await AddRunAsync();

        var end = await IngestAsync(runId, "text", [new FailedEvent("--data /x: folder not found")]);

        Assert.True(end.Failed);
        Assert.False(end.Finished);
        Assert.Equal("--data /x: folder not found", end.FailureMessage);
    }

    [Fact]
    public async Task ApplyAsync_TextStageBest_WatchesValLossAndLeavesBleuEmpty()
    {
        int runId = await AddRunAsync();

        await IngestAsync(runId, "text", [new FinishedEvent(null, new Dictionary<string, double> { ["val_loss"] = 2.75, ["bleu4"] = 9 })]);

        await using var db = _database.Create();
        var run = await db.Runs.SingleAsync();
        Assert.Equal(("val_loss", 2.75), (run.BestMetricName, run.BestMetricValue!.Value));
        Assert.Null(run.BestBleu4);
    }

    [Fact]
    public void TryParse_NotAnEvent_GivesTheReason()
    {
        Assert.Null(RunEventIngestor.TryParse("{\"type\":\"bogus\"}", out string? problem));
        Assert.False(string.IsNullOrEmpty(problem));
        Assert.Null(RunEventIngestor.TryParse("not json", out problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void TryParse_DocumentedExampleLine_KeepsTheRawObject()
    {
        const string line = "{\"type\":\"step\",\"step\":120,\"epoch\":0,\"loss\":4.2135,\"lr\":{\"encoder\":0.0001},\"samples_per_s\":85.3,\"eta_s\":3121.5,\"time\":\"2025-05-04T10:01:02+00:00\",\"future_field\":1}";

        var parsed = RunEventIngestor.TryParse(line, out _);

        var step = Assert.IsType<StepEvent>(parsed!.Value.Event);
        Assert.Equal((120L, 4.2135), (step.Step, step.Loss!.Value));
        Assert.Equal(1, parsed.Value.Json.GetProperty("future_field").GetInt32());
    }

    [Fact]
    public async Task ApplyAsync_ValidationProgress_KeepsTheClipsAndEtaOnTheRowUntilTheEval()
    {
        int runId = await AddRunAsync();
        ProgressEvent[] stream =
        [
            new StepEvent(14, 0, 3.5, new Dictionary<string, double>(), 12.5, 43) { Time = T0 },
            new ValidationProgressEvent("slt", 15, 1, 0, 40, 0, 240) { Time = T0.AddSeconds(1) },
            new ValidationProgressEvent("slt", 15, 1, 12, 40, 20, 180) { Time = T0.AddSeconds(21) },
        ];

        await IngestAsync(runId, "slt", stream);

        await using (var db = _database.Create())
        {
            var run = await db.Runs.SingleAsync();
            Assert.Equal((12, 40), (run.ValidationDone, run.ValidationTotal));
            Assert.Equal((15L, 1, 180.0), (run.ProgressStep, run.Epoch, run.EtaSeconds));
            Assert.Empty(await db.MetricPoints.Where(p => p.Step == 15).ToListAsync());   // progress is state, not a metric
        }

        await IngestAsync(runId, "slt", [new EvalEvent { Step = 15, Epoch = 1, Metrics = new Dictionary<string, double> { ["bleu4"] = 2 }, Time = T0.AddSeconds(60) }]);

        await using (var db = _database.Create())
        {
            var run = await db.Runs.SingleAsync();
            Assert.Null(run.ValidationDone);
            Assert.Null(run.ValidationTotal);
        }
    }

    private async Task<int> AddRunAsync()
    {
        await using var db = _database.Create();
        var run = new RunEntity { Name = "r", Phase = "slt", Status = JobStatus.Running, Dataset = "d", CreatedAt = T0.UtcDateTime, OutputFolder = _database.Root };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    /// Parses each event from its JSON line (as the supervisor reads them), applies it and saves, one at a time.
    private async Task<StageEnd> IngestAsync(int runId, string stage, IEnumerable<ProgressEvent> events)
    {
        var end = new StageEnd();
        foreach (var progressEvent in events)
        {
            await using var db = _database.Create();
            var run = await db.Runs.SingleAsync(r => r.Id == runId);
            var parsed = RunEventIngestor.TryParse(ProgressEventJson.Serialize(progressEvent), out string? problem) ?? throw new InvalidOperationException(problem);
            await RunEventIngestor.ApplyAsync(db, run, stage, parsed.Event, end);
            await db.SaveChangesAsync();
        }
        return end;
    }

    private string WriteCheckpoint(string name, long step, double bleu4)
    {
        string folder = Path.Combine(_database.Root, "runs", "1", "slt", name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), new byte[100]);
        var metadata = CheckpointMetadata.Create(CheckpointPhase.Slt, new { d_model = 8 }) with
        {
            Step = step,
            Metrics = new Dictionary<string, double> { ["bleu4"] = bleu4 },
            CreatedUtc = T0,
        };
        metadata.Save(folder);
        return folder;
    }
}
