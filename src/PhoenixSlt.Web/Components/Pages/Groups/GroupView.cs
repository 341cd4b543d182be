using System.Globalization;
using PhoenixSlt.Training;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Groups;

/// One band of a group's curves: the mean ± sd over one setting's runs of one metric in one stage
/// (<see cref="MetricBand.Of"/> over the members' stored metric points).
public sealed record SettingBand(string Setting, string Stage, string Metric, IReadOnlyList<BandPoint> Points);

/// The ablation's two arms and the BLEU-4 difference pipeline − scratch once both have a value.
public sealed record AblationArms(GroupSetting? Scratch, GroupSetting? Pipeline)
{
    public double? Bleu4Difference => Scratch?.Bleu4 is MeanSd s && Pipeline?.Bleu4 is MeanSd p ? p.Mean - s.Mean : null;
}

/// Pure helpers of the group pages: curve bands, ablation arms, texts.
public static class GroupView
{
    /// Metrics whose curves the group page draws as bands.
    public static IReadOnlyList<string> CurveMetrics { get; } =
        [Core.Metrics.MetricNames.Loss, Core.Metrics.MetricNames.ValLoss, Core.Metrics.MetricNames.Bleu4];

    /// The bands of every setting, stage and metric of <paramref name="settings"/> from the members' metric points
    /// (run id → points); a setting's runs without points add nothing.
    public static IReadOnlyList<SettingBand> Bands(IReadOnlyList<GroupSetting> settings, IReadOnlyDictionary<int, IReadOnlyList<MetricValue>> metrics)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        var bands = new List<SettingBand>();
        foreach (var setting in settings)
        {
            var points = setting.RunIds.Select(id => (Id: id, Points: metrics.GetValueOrDefault(id) ?? [])).ToList();
            foreach (var key in points.SelectMany(p => p.Points).Select(m => (m.Stage, m.Name)).Distinct().OrderBy(k => StageOrder(k.Stage)).ThenBy(k => k.Name, StringComparer.Ordinal))
            {
                var curves = points.Select(p => (IReadOnlyList<(long Step, double Value)>)[.. p.Points.Where(m => m.Stage == key.Stage && m.Name == key.Name).Select(m => (m.Step, m.Value))]);
                var band = MetricBand.Of(curves);
                if (band.Count > 0)
                    bands.Add(new SettingBand(setting.Label, key.Stage, key.Name, band));
            }
        }
        return bands;
    }

    /// The bands of <paramref name="group"/> from its runs' stored points of <see cref="CurveMetrics"/>.
    public static async Task<IReadOnlyList<SettingBand>> LoadBandsAsync(RunStore store, RunGroupInfo group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(group);
        var metrics = new Dictionary<int, IReadOnlyList<MetricValue>>();
        foreach (RunInfo run in group.Runs)
            metrics[run.Id] = await store.GetMetricsAsync(run.Id, CurveMetrics, cancellationToken).ConfigureAwait(false);
        return Bands(group.Settings, metrics);
    }

    /// The chart series of <paramref name="metric"/>: one per setting and stage (mean as the curve, mean ± sd as its
    /// band), named by the setting, with the stage when the metric has more than one stage (a pipeline's loss).
    public static IReadOnlyList<Shared.MetricSeries> ChartSeries(IReadOnlyList<SettingBand> bands, string metric)
    {
        ArgumentNullException.ThrowIfNull(bands);
        return Shared.StageCurves.Series([.. bands.Where(b => b.Metric == metric).Select(b => new Shared.StageCurve(
            Label(b.Setting), b.Stage, [.. b.Points.Select(p => new Shared.ChartPoint(p.Step, p.Mean))],
            new Shared.SeriesBand([.. b.Points.Select(p => p.Lower)], [.. b.Points.Select(p => p.Upper)])))], metric);
    }

    /// The chart title of a curve metric.
    public static string MetricTitle(string metric) => metric switch
    {
        Core.Metrics.MetricNames.Loss => "Training loss",
        Core.Metrics.MetricNames.ValLoss => "Validation loss",
        Core.Metrics.MetricNames.Bleu4 => "Dev BLEU-4",
        _ => metric,
    };

    /// The arms of an ablation group (by their labels), null for other kinds.
    public static AblationArms? Ablation(RunGroupInfo group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Kind != RunGroupKinds.Ablation)
            return null;
        return new AblationArms(group.Settings.FirstOrDefault(s => s.Label == RunGroupPlan.ScratchArm),
            group.Settings.FirstOrDefault(s => s.Label == RunGroupPlan.PipelineArm));
    }

    /// The setting's label for people ("(one setting)" for a seeds group's empty label).
    public static string Label(string label) => label.Length == 0 ? "(base settings)" : label;

    /// "seeds 42, 43, 44".
    public static string Seeds(RunGroupDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return (definition.Seeds.Count == 1 ? "seed " : "seeds ") + string.Join(", ", definition.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)));
    }

    /// One sweep parameter as text: "lr_encoder: 1e-4, 3e-4" or "lr_encoder: 1e-05..0.001 (log)".
    public static string Parameter(SweepParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Values is { Count: > 0 } values)
            return $"{parameter.Field}: {string.Join(", ", values)}";
        string range = string.Create(CultureInfo.InvariantCulture, $"{parameter.Min:G}..{parameter.Max:G}");
        return $"{parameter.Field}: {range}{(parameter.Log ? " (log)" : "")}";
    }

    /// "3 completed · 1 running".
    public static string StatusCounts(RunGroupInfo group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return string.Join(" · ", group.StatusCounts.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} {s.Key}"));
    }

    /// The metrics shown beside BLEU-4 in the settings table: every metric any setting has, BLEU-4 left out.
    public static IReadOnlyList<string> OtherMetrics(IReadOnlyList<GroupSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. settings.SelectMany(s => s.Metrics.Keys).Distinct(StringComparer.Ordinal)
            .Where(n => n != Core.Metrics.MetricNames.Bleu4).Order(StringComparer.Ordinal)];
    }

    /// The comparison page of the group's runs.
    public static string CompareUrl(RunGroupInfo group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return "runs/compare?ids=" + string.Join(",", group.Runs.Select(r => r.Id.ToString(CultureInfo.InvariantCulture)));
    }

    /// "+3.21" / "−0.50".
    public static string Difference(double value)
        => (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("0.00", CultureInfo.InvariantCulture);

    /// Stages in pipeline order (text, vlp, slt), others last.
    private static int StageOrder(string stage)
    {
        var stages = TrainingPhaseNames.StagesOf(TrainingPhaseNames.Pipeline).ToList();
        int index = stages.IndexOf(stage);
        return index < 0 ? stages.Count : index;
    }
}
