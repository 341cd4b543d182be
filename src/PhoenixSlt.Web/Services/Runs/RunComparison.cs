using System.Globalization;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// One run to compare: the run, its stored (resolved) spec and the validation metrics of its best checkpoint (empty
/// when it has none yet).
public sealed record ComparisonInput(RunInfo Run, RunSpec Spec, IReadOnlyDictionary<string, double> BestMetrics);

/// A compared run as the comparison's columns name it.
public sealed record ComparedRun(int Id, string Name, string Phase, string Status, string Dataset, int? GroupId, string? GroupLabel,
    IReadOnlyList<string> Tags, string? BestCheckpoint);

/// One setting of the run spec across the runs: its texts (one per run, in the runs' order) and whether they differ.
public sealed record SettingRow(string Name, string Label, string Section, IReadOnlyList<string> Values, bool Differs);

/// One metric of the runs' best checkpoints: a value per run (null when a run's best checkpoint lacks it), whether
/// higher is better, and the indexes (into the runs) of the best value — empty unless at least two runs have it.
public sealed record MetricRow(string Name, bool HigherIsBetter, IReadOnlyList<double?> Values, IReadOnlyList<int> Best)
{
    public bool IsBest(int runIndex) => Best.Contains(runIndex);
}

/// One line of the parallel-coordinates view: a run's values of <see cref="RunComparison.Dimensions"/> (numbers;
/// switches as 0/1; null when empty) and its dev BLEU-4 at the best checkpoint.
public sealed record ParallelRow(int RunId, string RunName, IReadOnlyList<double?> Values, double? Bleu4);

/// Several runs side by side: settings, metrics at each run's best checkpoint and the parallel-coordinates rows
/// (settings vs dev BLEU-4). Built by <see cref="RunComparison.Of"/>; the REST API returns it as it is.
public sealed record RunComparison(
    IReadOnlyList<ComparedRun> Runs,
    IReadOnlyList<SettingRow> Settings,
    IReadOnlyList<MetricRow> Metrics,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<ParallelRow> Parallel)
{
    /// Runs that can be compared at once (more make the table unreadable and the request heavy).
    public const int MaxRuns = 20;

    /// Spec fields left out of the settings table: they name the run rather than set it up, so they always differ
    /// (name is the column's title; out is the run's own output folder, chosen by the portal).
    public static IReadOnlyList<string> PerRunFields { get; } = ["name", "out"];

    /// The order metrics are listed in; metrics not named here follow alphabetically.
    public static IReadOnlyList<string> MetricOrder { get; } =
    [
        MetricNames.Bleu4, MetricNames.Bleu1, MetricNames.Bleu2, MetricNames.Bleu3, MetricNames.SacreBleu, MetricNames.RougeL,
        MetricNames.Chrf, MetricNames.GlossWer, MetricNames.ValLoss, MetricNames.VisualToTextTop1, MetricNames.TextToVisualTop1,
    ];

    /// The rows shown: every setting, or only the ones that differ.
    public IReadOnlyList<SettingRow> SettingsShown(bool differencesOnly)
        => differencesOnly ? [.. Settings.Where(s => s.Differs)] : Settings;

    /// The comparison of <paramref name="runs"/> in their order.
    public static RunComparison Of(IReadOnlyList<ComparisonInput> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var settings = SettingRows(runs);
        var metrics = MetricRows(runs);
        var dimensions = ParallelDimensions(runs);
        return new RunComparison([.. runs.Select(Column)], settings, metrics, [.. dimensions.Select(f => f.Name)], ParallelRows(runs, dimensions));
    }

    /// One row per field of the spec's field table (its order) except <see cref="PerRunFields"/>; a row differs when
    /// the runs' values are not all equal.
    public static IReadOnlyList<SettingRow> SettingRows(IReadOnlyList<ComparisonInput> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return [.. RunSpecFields.All.Where(f => !PerRunFields.Contains(f.Name)).Select(field =>
        {
            var values = runs.Select(r => field.Get(r.Spec)).ToList();
            return new SettingRow(field.Name, field.Label, field.Section, [.. values.Select(v => ValueText(field, v))],
                values.Distinct().Count() > 1);
        })];
    }

    /// A setting's value as the pages write it: the field's format, or what empty means.
    public static string ValueText(SpecField field, object? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        return value is null ? $"empty: {field.EmptyMeans ?? "none"}" : field.Format(value);
    }

    /// One row per metric any run's best checkpoint holds (<see cref="MetricOrder"/>), the best values marked in the
    /// metric's direction (<see cref="MetricNames.LowerIsBetter"/>). Values that are not finite count as missing.
    public static IReadOnlyList<MetricRow> MetricRows(IReadOnlyList<ComparisonInput> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var names = runs.SelectMany(r => r.BestMetrics.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(n => MetricOrder.Contains(n) ? MetricOrder.ToList().IndexOf(n) : MetricOrder.Count).ThenBy(n => n, StringComparer.Ordinal);
        return [.. names.Select(name =>
        {
            bool higher = !MetricNames.LowerIsBetter(name);
            double?[] values = [.. runs.Select(r => r.BestMetrics.TryGetValue(name, out double v) && double.IsFinite(v) ? v : (double?)null)];
            return new MetricRow(name, higher, values, BestIndexes(values, higher));
        })];
    }

    /// The indexes of the best of <paramref name="values"/> (all of them on a tie), or none when fewer than two
    /// values are present (nothing to compare).
    public static IReadOnlyList<int> BestIndexes(IReadOnlyList<double?> values, bool higherIsBetter)
    {
        ArgumentNullException.ThrowIfNull(values);
        var present = values.Select((v, i) => (Value: v, Index: i)).Where(p => p.Value is not null).ToList();
        if (present.Count < 2)
            return [];
        double best = higherIsBetter ? present.Max(p => p.Value!.Value) : present.Min(p => p.Value!.Value);
        return [.. present.Where(p => p.Value == best).Select(p => p.Index)];
    }

    /// The settings of the parallel-coordinates view: numbers and switches whose values differ between the runs.
    public static IReadOnlyList<SpecField> ParallelDimensions(IReadOnlyList<ComparisonInput> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return [.. RunSpecFields.All.Where(f => (f.IsNumber || f.IsSwitch) && !PerRunFields.Contains(f.Name)
            && runs.Select(r => f.Get(r.Spec)).Distinct().Count() > 1)];
    }

    /// Each run's values of <paramref name="dimensions"/> with its dev BLEU-4 (best checkpoint).
    public static IReadOnlyList<ParallelRow> ParallelRows(IReadOnlyList<ComparisonInput> runs, IReadOnlyList<SpecField> dimensions)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(dimensions);
        return [.. runs.Select(r => new ParallelRow(r.Run.Id, r.Run.Name, [.. dimensions.Select(d => Number(d.Get(r.Spec)))],
            r.BestMetrics.TryGetValue(MetricNames.Bleu4, out double bleu) && double.IsFinite(bleu) ? bleu : null))];
    }

    private static double? Number(object? value) => value switch
    {
        null => null,
        bool b => b ? 1 : 0,
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    private static ComparedRun Column(ComparisonInput input)
    {
        RunInfo run = input.Run;
        return new ComparedRun(run.Id, run.Name, run.Phase, run.Status.ToText(), run.Dataset, run.GroupId, run.GroupLabel, run.Tags, run.BestCheckpoint);
    }
}

/// Why runs could not be compared: the ids are not a list of at least two runs, or some do not exist.
public sealed record ComparisonLoad(RunComparison? Comparison, string? Problem, IReadOnlyList<int> Missing)
{
    public bool Found => Comparison is not null;
}

/// Reading the runs of a comparison: the ids of a request, then the runs, specs and best-checkpoint metrics.
public static class RunComparisons
{
    /// The distinct run ids of "1,2,3" in their order, or the problem: not whole numbers, fewer than two runs, more
    /// than <see cref="RunComparison.MaxRuns"/>.
    public static (IReadOnlyList<int> Ids, string? Problem) ParseIds(string? text) => IdList.ForComparison(text, "run", RunComparison.MaxRuns);

    /// The comparison of runs <paramref name="text"/> (as <see cref="ParseIds"/> reads it), or the problem with the ids
    /// or the runs that do not exist.
    public static async Task<ComparisonLoad> LoadAsync(RunStore store, string? text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (ids, problem) = ParseIds(text);
        if (problem is not null)
            return new ComparisonLoad(null, problem, []);
        var details = new List<RunDetails>();
        var missing = new List<int>();
        foreach (int id in ids)
        {
            if (await store.GetDetailsAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
                details.Add(found);
            else
                missing.Add(id);
        }
        if (missing.Count > 0)
            return new ComparisonLoad(null, IdList.Missing("run", missing), missing);
        return new ComparisonLoad(RunComparison.Of(await InputsAsync(store, details, cancellationToken).ConfigureAwait(false)), null, []);
    }

    /// The comparison of the runs <paramref name="ids"/> that exist, without the limit of the page (a sweep's
    /// parallel-coordinates view compares all its runs).
    public static async Task<RunComparison> OfRunsAsync(RunStore store, IReadOnlyList<int> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        var details = new List<RunDetails>();
        foreach (int id in ids)
            if (await store.GetDetailsAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
                details.Add(found);
        return RunComparison.Of(await InputsAsync(store, details, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<List<ComparisonInput>> InputsAsync(RunStore store, IReadOnlyList<RunDetails> details, CancellationToken cancellationToken)
    {
        var best = await store.GetBestMetricsAsync([.. details.Select(d => d.Run.Id)], cancellationToken).ConfigureAwait(false);
        return [.. details.Select(d => new ComparisonInput(d.Run, d.Config,
            best.TryGetValue(d.Run.Id, out var metrics) ? metrics : new Dictionary<string, double>()))];
    }

    /// The address of the comparison page of <paramref name="runIds"/>.
    public static string PageHref(IEnumerable<int> runIds) => "runs/compare?ids=" + string.Join(',', runIds);
}

/// One point of a curve.
public sealed record CurvePoint(long Step, double Value);

/// One run's curve of one metric in one stage (the overlaid curves of the comparison page).
public sealed record RunCurve(int RunId, string RunName, string Stage, string Metric, IReadOnlyList<CurvePoint> Points);

/// The curves of compared runs, from their stored metric points.
public static class RunCurves
{
    /// The curves of run <paramref name="runId"/>: one per (stage, metric) of <paramref name="points"/> (optionally only
    /// the metrics <paramref name="names"/>), points in step order, values that are not finite left out.
    public static IReadOnlyList<RunCurve> Of(int runId, string runName, IEnumerable<MetricValue> points, IReadOnlyCollection<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        return [.. points.Where(p => double.IsFinite(p.Value) && (names is null || names.Contains(p.Name)))
            .GroupBy(p => (p.Stage, p.Name))
            .Select(g => new RunCurve(runId, runName, g.Key.Stage, g.Key.Name, [.. g.OrderBy(p => p.Step).Select(p => new CurvePoint(p.Step, p.Value))]))];
    }
}
