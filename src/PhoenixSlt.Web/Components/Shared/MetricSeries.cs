using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Web.Components.Shared;

/// One point of a metric curve: x is usually the optimizer step.
public readonly record struct ChartPoint(double X, double Y);

/// A band around a curve (e.g. a group's mean ± sd): one lower and one upper value per point of its series, drawn as a
/// filled area between them.
public sealed record SeriesBand(IReadOnlyList<double> Lower, IReadOnlyList<double> Upper);

/// A named curve of a <see cref="MetricChart"/>.
/// <paramref name="ShowMarkers"/>: draw a dot per point (sparse series such as evaluations; such series are never
/// smoothed). <paramref name="Band"/>: an optional filled area, one lower/upper pair per point of
/// <paramref name="Points"/>. <paramref name="Color"/>: a CSS colour (#rrggbb); null takes the next colour of
/// <see cref="MetricChartPlot.Palette"/>, so that the same series index has the same colour on every chart.
public sealed record MetricSeries(
    string Name,
    IReadOnlyList<ChartPoint> Points,
    bool ShowMarkers = false,
    SeriesBand? Band = null,
    string? Color = null)
{
    public SeriesBand? Band { get; init; } = CheckBand(Name, Points, Band);

    /// Smoothing applies to dense curves only: sparse evaluation points (markers) are drawn as they are.
    public bool Smoothable => !ShowMarkers;

    /// The last point with finite coordinates, or null.
    public ChartPoint? Latest
    {
        get
        {
            for (int i = Points.Count - 1; i >= 0; i--)
                if (double.IsFinite(Points[i].X) && double.IsFinite(Points[i].Y))
                    return Points[i];
            return null;
        }
    }

    private static SeriesBand? CheckBand(string name, IReadOnlyList<ChartPoint> points, SeriesBand? band)
    {
        if (band is not null && (band.Lower.Count != points.Count || band.Upper.Count != points.Count))
            throw new ArgumentException(
                $"the band of series '{name}' has {band.Lower.Count} lower and {band.Upper.Count} upper values for {points.Count} points; "
                + "it needs one of each per point", nameof(band));
        return band;
    }
}

/// How a chart chooses its y range.
public enum ChartYScale
{
    /// Around the data (Plotly's own autorange): losses, learning rates.
    Auto,

    /// From 0 unless data lies below it (accuracies, counts): flat data at 0 gets 0 to 1, never −1 to 1.
    NonNegative,

    /// A percentage such as BLEU: 0 to 100 when the data fit in it, otherwise as <see cref="NonNegative"/>.
    Percent,
}

/// One curve of a metric from one source (a run, a group's setting) in one stage, before it becomes a chart series.
public sealed record StageCurve(string Name, string Stage, IReadOnlyList<ChartPoint> Points, SeriesBand? Band = null);

/// The series of charts that put curves of several sources on one metric's chart (Compare runs, group pages).
public static class StageCurves
{
    /// The training loss is logged at every step (a line); every other curve metric comes from validations (dots).
    public static bool IsSparse(string metric) => metric != MetricNames.Loss;

    /// One series per curve, named by its source, with the stage added when the curves come from more than one
    /// stage (a pipeline's losses).
    public static IReadOnlyList<MetricSeries> Series(IReadOnlyList<StageCurve> curves, string metric)
    {
        ArgumentNullException.ThrowIfNull(curves);
        bool stages = curves.Select(c => c.Stage).Distinct(StringComparer.Ordinal).Count() > 1;
        return [.. curves.Select(c => new MetricSeries(stages ? $"{c.Name} ({c.Stage})" : c.Name, c.Points, ShowMarkers: IsSparse(metric), Band: c.Band))];
    }
}
