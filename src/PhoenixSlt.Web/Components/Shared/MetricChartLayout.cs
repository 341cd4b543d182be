using System.Globalization;
using System.Text;

namespace PhoenixSlt.Web.Components.Shared;

/// One point of a metric curve: x is usually the optimizer step.
public readonly record struct ChartPoint(double X, double Y);

/// A named curve of a <see cref="MetricChart"/>. <paramref name="ShowMarkers"/>: draw a dot per point (for sparse
/// series such as evaluations).
public sealed record MetricSeries(string Name, IReadOnlyList<ChartPoint> Points, bool ShowMarkers = false)
{
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
}

/// A tick of an axis: its value, where it is drawn and its label.
public readonly record struct AxisTick(double Value, double Position, string Label);

/// A series laid out in chart coordinates: an SVG path (one sub-path per run of finite points) and marker positions.
public sealed record SeriesGeometry(string Name, string Path, IReadOnlyList<(double X, double Y, ChartPoint Point)> Markers, int PointCount);

/// The drawing of a <see cref="MetricChart"/>: axes with "nice" ticks around the data, and the series mapped into a
/// <see cref="Width"/> × <see cref="Height"/> box. Pure, so the geometry is testable without rendering.
public sealed record MetricChartLayout(
    double Width,
    double Height,
    double PlotLeft,
    double PlotTop,
    double PlotRight,
    double PlotBottom,
    IReadOnlyList<AxisTick> XTicks,
    IReadOnlyList<AxisTick> YTicks,
    IReadOnlyList<SeriesGeometry> Series)
{
    /// Points drawn per series at most; longer series are thinned to the minimum and maximum of equal x buckets.
    public const int DefaultMaxPoints = 500;

    public const double MarginLeft = 56, MarginRight = 12, MarginTop = 10, MarginBottom = 30;

    /// <param name="yFloor">The lowest value the y axis shows when no point is below it (e.g. 0 for BLEU, accuracies):
    /// flat data at the floor then gets an axis from the floor up instead of one around it.</param>
    public static MetricChartLayout Create(IReadOnlyList<MetricSeries> series, double width, double height,
        int maxPoints = DefaultMaxPoints, int targetTicks = 5, double? yFloor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, MarginLeft + MarginRight + 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, MarginTop + MarginBottom + 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);

        IReadOnlyList<ChartPoint>[] shown = [.. series.Select(s => Downsample(Finite(s.Points), maxPoints))];
        ChartPoint[] all = [.. shown.SelectMany(p => p)];
        (double xMin, double xMax) = all.Length == 0 ? (0, 1) : Widen(all.Min(p => p.X), all.Max(p => p.X));
        (double yMin, double yMax) = all.Length == 0 ? (0, 1) : Widen(all.Min(p => p.Y), all.Max(p => p.Y));
        if (yFloor is double floor && double.IsFinite(floor))
            (yMin, yMax) = AtLeast(floor, all.Length == 0 ? floor : all.Min(p => p.Y), yMin, yMax);
        double[] yTickValues = NiceTicks(yMin, yMax, targetTicks);
        yMin = Math.Min(yMin, yTickValues[0]);
        yMax = Math.Max(yMax, yTickValues[^1]);
        double[] xTickValues = [.. NiceTicks(xMin, xMax, targetTicks, integers: true).Where(v => v >= xMin && v <= xMax)];

        double left = MarginLeft, right = width - MarginRight, top = MarginTop, bottom = height - MarginBottom;
        double X(double x) => left + (x - xMin) / (xMax - xMin) * (right - left);
        double Y(double y) => bottom - (y - yMin) / (yMax - yMin) * (bottom - top);

        double yStep = yTickValues.Length > 1 ? yTickValues[1] - yTickValues[0] : 0;
        double xStep = xTickValues.Length > 1 ? xTickValues[1] - xTickValues[0] : 0;
        AxisTick[] yTicks = [.. yTickValues.Select(v => new AxisTick(v, Y(v), TickLabel(v, yStep)))];
        AxisTick[] xTicks = [.. xTickValues.Select(v => new AxisTick(v, X(v), TickLabel(v, xStep)))];

        var geometries = new List<SeriesGeometry>(series.Count);
        for (int i = 0; i < series.Count; i++)
        {
            IReadOnlyList<ChartPoint> points = shown[i];
            var path = new StringBuilder();
            for (int j = 0; j < points.Count; j++)
                path.Append(j == 0 ? 'M' : 'L').Append(Coordinate(X(points[j].X))).Append(' ').Append(Coordinate(Y(points[j].Y)));
            var markers = series[i].ShowMarkers
                ? points.Select(p => (X(p.X), Y(p.Y), p)).ToArray()
                : [];
            geometries.Add(new SeriesGeometry(series[i].Name, path.ToString(), markers, points.Count));
        }
        return new MetricChartLayout(width, height, left, top, right, bottom, xTicks, yTicks, geometries);
    }

    /// Evenly spaced round values (1, 2, 2.5 or 5 × 10^k apart) from at most <paramref name="min"/> to at least
    /// <paramref name="max"/>, about <paramref name="target"/> of them (Heckbert, "Nice numbers for graph labels").
    /// <paramref name="integers"/>: whole-number spacing only (1, 2, 5 × 10^k, at least 1), for step axes.
    public static double[] NiceTicks(double min, double max, int target = 5, bool integers = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 2);
        if (!double.IsFinite(min) || !double.IsFinite(max) || max < min)
            throw new ArgumentException($"the range [{min}, {max}] is not a finite interval");
        if (max == min)
            (min, max) = Widen(min, max);
        double step = NiceStep((max - min) / (target - 1));
        if (integers)
            step = step < 1 ? 1 : step == 2.5 ? 2 : step;
        double first = Math.Floor(min / step) * step;
        double last = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((last - first) / step) + 1;
        // Computed from the index, not by repeated addition, so 0.1-steps do not drift (0.30000000000000004).
        return [.. Enumerable.Range(0, count).Select(i => Math.Round(first + i * step, 12))];
    }

    /// The round number (1, 2, 2.5, 5 × 10^k) nearest above <paramref name="rough"/>.
    public static double NiceStep(double rough)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rough);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// At most <paramref name="maxPoints"/> points: unchanged when short enough; otherwise the x range is cut into
    /// maxPoints / 2 equal buckets and each keeps its lowest and highest point (in x order), so spikes stay visible.
    /// The first and last points are always kept.
    public static IReadOnlyList<ChartPoint> Downsample(IReadOnlyList<ChartPoint> points, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (points.Count <= maxPoints)
            return points;
        int buckets = Math.Max(1, (maxPoints - 2) / 2);
        double xMin = points[0].X, xMax = points[^1].X;
        double width = (xMax - xMin) / buckets;
        var result = new List<ChartPoint>(maxPoints) { points[0] };
        int index = 1;
        for (int b = 0; b < buckets && index < points.Count - 1; b++)
        {
            double end = b == buckets - 1 ? double.PositiveInfinity : xMin + (b + 1) * width;
            int lowest = -1, highest = -1;
            for (; index < points.Count - 1 && points[index].X < end; index++)
            {
                if (lowest < 0 || points[index].Y < points[lowest].Y)
                    lowest = index;
                if (highest < 0 || points[index].Y > points[highest].Y)
                    highest = index;
            }
            if (lowest < 0)
                continue;
            result.Add(points[Math.Min(lowest, highest)]);
            if (lowest != highest)
                result.Add(points[Math.Max(lowest, highest)]);
        }
        result.Add(points[^1]);
        return result;
    }

    private static IReadOnlyList<ChartPoint> Finite(IReadOnlyList<ChartPoint> points)
        => points.All(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
            ? points
            : [.. points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))];

    /// A degenerate range [v, v] becomes an interval around v (±10 %, or ±1 around 0).
    private static (double Min, double Max) Widen(double min, double max)
    {
        if (max > min)
            return (min, max);
        double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
        return (min - pad, max + pad);
    }

    /// The range [min, max] cut at <paramref name="floor"/> (unless data lies below it), still at least 1 wide above it
    /// when the data sits on the floor (all zeros: 0 to 1, not −1 to 1).
    private static (double Min, double Max) AtLeast(double floor, double dataMin, double min, double max)
    {
        double lowest = Math.Min(floor, dataMin);
        min = Math.Max(min, lowest);
        if (max <= min)
            max = min + 1;
        return (min, max);
    }

    /// A tick label with as many decimals as the tick spacing has (scientific for tiny or huge values).
    private static string TickLabel(double value, double step)
    {
        if (value == 0)
            return "0";
        double magnitude = Math.Max(Math.Abs(value), step);
        if (magnitude < 1e-3 || magnitude >= 1e6)
            return value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        return value.ToString("F" + DecimalsOf(step).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// Decimals needed to write <paramref name="step"/> exactly (0.25 → 2, 5 → 0), at most 6.
    private static int DecimalsOf(double step)
    {
        for (int decimals = 0; decimals < 6; decimals++)
        {
            double scaled = step * Math.Pow(10, decimals);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * Math.Max(1, scaled))
                return decimals;
        }
        return 6;
    }

    private static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
