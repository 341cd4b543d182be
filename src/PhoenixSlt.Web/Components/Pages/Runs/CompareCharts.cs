using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// The overlaid curves of the comparison page (pure): one chart per metric, one series per run (and stage, when the
/// runs' curves of the metric come from more than one stage, as a pipeline's losses do).
public static class CompareCharts
{
    /// The metrics drawn as overlaid charts, with their titles and y scales.
    public static IReadOnlyList<(string Metric, string Title, ChartYScale Scale)> Charts { get; } =
    [
        (MetricNames.Loss, "Training loss", ChartYScale.Auto),
        (MetricNames.ValLoss, "Validation loss", ChartYScale.Auto),
        (MetricNames.Bleu4, "Dev BLEU-4", ChartYScale.Percent),
        (MetricNames.GlossWer, "Dev gloss WER (%)", ChartYScale.NonNegative),
    ];

    public static IReadOnlyList<MetricSeries> Series(IReadOnlyList<RunCurve> curves, string metric)
    {
        ArgumentNullException.ThrowIfNull(curves);
        return StageCurves.Series([.. curves.Where(c => c.Metric == metric && c.Points.Count > 0).Select(c => new StageCurve(
            $"#{c.RunId} {c.RunName}", c.Stage, [.. c.Points.Select(p => new ChartPoint(p.Step, p.Value))]))], metric);
    }
}
