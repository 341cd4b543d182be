using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Tests.Runs;

/// Completed runs with a best checkpoint stored directly in the portal's database (as the supervisor leaves them), for
/// the comparison's page, API and browser tests.
public static class ComparisonSeed
{
    /// Stores a completed run of <paramref name="spec"/> (its data is a dataset name) whose best checkpoint holds
    /// <paramref name="bestMetrics"/>; returns the run's id.
    public static int SaveCompletedRun(IDbContextFactory<PhoenixDbContext> contexts, RunSpec spec, IReadOnlyDictionary<string, double> bestMetrics,
        IReadOnlyList<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(bestMetrics);
        string dataset = spec.Data ?? "phoenix-synth";
        string outputFolder = $"/runs/{Guid.NewGuid():N}";
        string best = Path.Combine(outputFolder, spec.Phase, "best");
        var created = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        using PhoenixDbContext db = contexts.CreateDbContext();
        var run = new RunEntity
        {
            Name = spec.DisplayName(dataset),
            Phase = spec.Phase,
            Stage = TrainingPhaseNames.StagesOf(spec.Phase)[^1],
            ConfigJson = RunSpecJson.Write(spec with { Data = $"/data/{dataset}", Out = PipelinePlan.RunOut(outputFolder, spec.Phase) }),
            Status = JobStatus.Completed,
            Dataset = dataset,
            CreatedAt = created,
            StartedAt = created,
            FinishedAt = created.AddMinutes(5),
            Device = spec.Device,
            OutputFolder = outputFolder,
            BestCheckpoint = best,
            BestBleu4 = bestMetrics.TryGetValue("bleu4", out double bleu) ? bleu : null,
            Tags = TagList.Store(tags ?? []),
        };
        db.Runs.Add(run);
        db.SaveChanges();
        db.Checkpoints.Add(new CheckpointEntity
        {
            Path = best,
            Phase = spec.Phase,
            RunId = run.Id,
            Step = 10,
            MetricsJson = JsonSerializer.Serialize(bestMetrics),
            IsBest = true,
            CreatedAt = created.AddMinutes(5),
        });
        db.SaveChanges();
        return run.Id;
    }
}
