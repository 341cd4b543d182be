using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Groups;

/// One setting of a group (runs with the same label, one per seed): its runs and the mean ± sd over them of each
/// metric at the run's best checkpoint (names as in checkpoint.json, e.g. bleu4, rouge_l, chrf, gloss_wer).
public sealed record GroupSetting(string Label, IReadOnlyList<int> RunIds, IReadOnlyDictionary<string, MeanSd> Metrics)
{
    /// The setting's BLEU-4 at the best checkpoints, or null before any run validated.
    public MeanSd? Bleu4 => Metrics.GetValueOrDefault("bleu4");
}

/// A group as pages and the API show it: its definition, its member runs and one summary per setting (best dev
/// BLEU-4 first).
public sealed record RunGroupInfo
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required DateTime CreatedAt { get; init; }
    public string? Notes { get; init; }
    public required RunGroupDefinition Definition { get; init; }

    /// The run spec every member started from (before its seed and swept settings).
    public required PhoenixSlt.Training.Specs.RunSpec BaseSpec { get; init; }
    public required IReadOnlyList<RunInfo> Runs { get; init; }
    public required IReadOnlyList<GroupSetting> Settings { get; init; }

    /// Runs by status text (queued, running, completed, …).
    public IReadOnlyDictionary<string, int> StatusCounts => Runs.GroupBy(r => r.Status.ToText()).ToDictionary(g => g.Key, g => g.Count());

    /// True while any member is queued or running.
    public bool IsActive => Runs.Any(r => r.Status.IsActive());

    public bool CanCancel => IsActive;
}

/// The settings of a group from its runs and their best-checkpoint metrics (pure).
public static class GroupSummary
{
    public static IReadOnlyList<GroupSetting> Settings(IReadOnlyList<RunInfo> runs, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>> bestMetrics)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(bestMetrics);
        var settings = runs.GroupBy(r => r.GroupLabel ?? "").Select(g =>
        {
            var metrics = g.Select(r => bestMetrics.GetValueOrDefault(r.Id)).OfType<IReadOnlyDictionary<string, double>>().ToList();
            var names = metrics.SelectMany(m => m.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var summary = names.Select(n => (n, MeanSd.Of(metrics.Where(m => m.ContainsKey(n)).Select(m => m[n]))))
                .Where(x => x.Item2 is not null).ToDictionary(x => x.n, x => x.Item2!, StringComparer.Ordinal);
            return new GroupSetting(g.Key, [.. g.Select(r => r.Id).Order()], summary);
        });
        return [.. settings.OrderByDescending(s => s.Bleu4?.Mean ?? double.NegativeInfinity).ThenBy(s => s.Label, StringComparer.Ordinal)];
    }
}
