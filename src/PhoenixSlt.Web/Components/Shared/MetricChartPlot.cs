using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace PhoenixSlt.Web.Components.Shared;

/// What a <see cref="MetricChart"/> shows besides its series: the reader's choices and the chart's fixed settings.
/// <paramref name="Smoothing"/>: EMA weight (0 = off), see <see cref="ChartSmoothing"/>.
public sealed record ChartView(double Smoothing, bool LogY, ChartYScale YScale, string XLabel, int Height);

/// The Plotly figure of a <see cref="MetricChart"/> (traces, layout, config) built from its series and view. Pure, so
/// what the chart draws is testable without a browser; the component only hands the figure to Plotly.
public static class MetricChartPlot
{
    /// Series colours, in order (Tableau 10): distinct on light and dark backgrounds.
    public static IReadOnlyList<string> Palette { get; } =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    /// Points sent to the browser per trace at most; longer curves are thinned by <see cref="Downsample"/>.
    public const int MaxPointsPerTrace = 1000;

    /// Opacity of the raw curve drawn behind a smoothed one.
    public const double RawOpacity = 0.25;

    /// Opacity of a band's filled area.
    public const double BandOpacity = 0.2;

    /// What the hover shows for a curve (after its name): its value and the step of that point.
    public const string HoverText = "%{y:.4~g} @ %{x:,d}";

    /// The colour of series <paramref name="index"/>: its own, else the palette's.
    public static string ColorOf(MetricSeries series, int index) => series.Color ?? Palette[index % Palette.Count];

    /// The traces of <paramref name="series"/>, in drawing order: per series its band (lower, then upper filled down to
    /// it), its raw curve when smoothed (faint, no hover), then the curve itself (named, hoverable).
    public static List<ITrace> Traces(IReadOnlyList<MetricSeries> series, ChartView view)
    {
        double weight = ChartSmoothing.Clamp(view.Smoothing);
        var traces = new List<ITrace>();
        for (int i = 0; i < series.Count; i++)
        {
            MetricSeries s = series[i];
            int[] finite = [.. Enumerable.Range(0, s.Points.Count).Where(j => double.IsFinite(s.Points[j].X) && double.IsFinite(s.Points[j].Y))];
            if (finite.Length == 0)
                continue;
            ChartPoint[] points = [.. finite.Select(j => s.Points[j])];
            int[] shown = Downsample(points, MaxPointsPerTrace);
            string color = ColorOf(s, i);
            IList<object> x = Pick(points.Select(p => p.X), shown);

            if (s.Band is { } band)
            {
                traces.Add(Line(s.Name + " (lower)", x, Pick(finite.Select(j => band.Lower[j]), shown), color, width: 0, hover: false));
                Scatter upper = Line(s.Name + " (upper)", x, Pick(finite.Select(j => band.Upper[j]), shown), color, width: 0, hover: false);
                upper.Fill = FillEnum.ToNextY;
                upper.FillColor = Translucent(color, BandOpacity);
                traces.Add(upper);
            }

            double[] raw = [.. points.Select(p => p.Y)];
            bool smooth = weight > 0 && s.Smoothable && points.Length > 1;
            if (smooth)
            {
                Scatter faint = Line(s.Name + " (raw)", x, Pick(raw, shown), color, width: 1, hover: false);
                faint.Opacity = (decimal)RawOpacity;
                traces.Add(faint);
            }
            Scatter main = Line(s.Name, x, Pick(smooth ? ChartSmoothing.Smooth(raw, weight) : raw, shown), color, width: 2, hover: true);
            if (s.ShowMarkers || points.Length == 1)
            {
                main.Mode = ModeFlag.Lines | ModeFlag.Markers;
                main.Marker = new Plotly.Blazor.Traces.ScatterLib.Marker { Color = color, Size = 6 };
            }
            traces.Add(main);
        }
        return traces;
    }

    /// Every finite y the chart shows (curves and bands), for the axis rules.
    public static IEnumerable<double> YValues(IReadOnlyList<MetricSeries> series)
        => series.SelectMany(s => s.Points.Select(p => p.Y)
            .Concat(s.Band?.Lower ?? []).Concat(s.Band?.Upper ?? []));

    /// The layout: unified hover at the nearest step (each series' value there), no Plotly legend (the component writes its own with
    /// the latest values), the y range of <see cref="ChartAxis.YRange"/>, log or linear. <c>uirevision</c> keeps the
    /// reader's zoom across data updates until the axis type changes.
    public static PlotlyLayout BuildLayout(IReadOnlyList<MetricSeries> series, ChartView view)
    {
        bool log = view.LogY && ChartAxis.CanUseLog(YValues(series));
        AxisRange? range = ChartAxis.YRange(YValues(series), view.YScale, log);
        double? xStep = ChartAxis.XTickStep(series.SelectMany(s => s.Points.Select(p => p.X)));
        var yAxis = new YAxis
        {
            Type = log ? Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log : Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Linear,
            HoverFormat = ".4~g",
            ExponentFormat = Plotly.Blazor.LayoutLib.YAxisLib.ExponentFormatEnum.E,
            AutoMargin = Plotly.Blazor.LayoutLib.YAxisLib.AutoMarginFlag.True,
            GridColor = "rgba(128,128,128,0.2)",
            ZeroLineColor = "rgba(128,128,128,0.4)",
        };
        if (range is { } r)
        {
            yAxis.Range = [r.Min, r.Max]; // both bounds given: Plotly turns its autorange off
        }
        var xAxis = new XAxis
        {
            Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = view.XLabel },
            HoverFormat = ",d",
            ZeroLine = false,
            GridColor = "rgba(128,128,128,0.2)",
        };
        if (xStep is double step)
        {
            xAxis.TickMode = Plotly.Blazor.LayoutLib.XAxisLib.TickModeEnum.Linear;
            xAxis.DTick = step;
            xAxis.Tick0 = 0;
        }
        return new PlotlyLayout
        {
            Height = view.Height,
            AutoSize = true,
            ShowLegend = false,
            HoverMode = HoverModeEnum.XUnified,
            HoverDistance = -1, // the nearest step anywhere on the plot, not only within 20 px of a point
            Margin = new Margin { L = 8, R = 12, T = 8, B = 40, AutoExpand = true },
            PaperBgColor = "rgba(0,0,0,0)",
            PlotBgColor = "rgba(0,0,0,0)",
            Font = new Plotly.Blazor.LayoutLib.Font { Size = 11 },
            UiRevision = log ? "log" : "linear",
            XAxis = [xAxis],
            YAxis = [yAxis],
        };
    }

    /// Plotly's own zoom and pan (mode bar on hover; double-click resets), no logo, resizes with its container.
    public static Config BuildConfig() => new()
    {
        Responsive = true,
        DisplayLogo = false,
    };

    /// Indices of at most <paramref name="maxPoints"/> points to draw: all when short enough; otherwise the x range is
    /// cut into equal buckets and each keeps its lowest and highest point (in x order), so spikes stay visible. The first
    /// and last points are always kept.
    public static int[] Downsample(IReadOnlyList<ChartPoint> points, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (points.Count <= maxPoints)
            return [.. Enumerable.Range(0, points.Count)];
        int buckets = Math.Max(1, (maxPoints - 2) / 2);
        double xMin = points[0].X, xMax = points[^1].X;
        double width = (xMax - xMin) / buckets;
        var result = new List<int>(maxPoints) { 0 };
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
            result.Add(Math.Min(lowest, highest));
            if (lowest != highest)
                result.Add(Math.Max(lowest, highest));
        }
        result.Add(points.Count - 1);
        return [.. result];
    }

    /// "#rrggbb" with an alpha, as "rgba(r,g,b,a)"; any other colour is returned unchanged.
    public static string Translucent(string color, double alpha)
    {
        if (color.Length != 7 || color[0] != '#'
            || !int.TryParse(color.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int rgb))
            return color;
        return string.Create(CultureInfo.InvariantCulture, $"rgba({(rgb >> 16) & 255},{(rgb >> 8) & 255},{rgb & 255},{alpha})");
    }

    private static List<object> Pick(IEnumerable<double> values, int[] indices)
    {
        double[] all = values as double[] ?? [.. values];
        return [.. indices.Select(i => (object)all[i])];
    }

    private static Scatter Line(string name, IList<object> x, IList<object> y, string color, double width, bool hover) => new()
    {
        Name = name,
        X = x,
        Y = y,
        Mode = ModeFlag.Lines,
        Line = new Plotly.Blazor.Traces.ScatterLib.Line { Color = color, Width = (decimal)width },
        ShowLegend = false,
        HoverInfo = hover ? null : HoverInfoFlag.Skip,
        // Unified hover lists every curve at its point nearest to the mouse: the step says where that point is (a
        // sparse validation curve's nearest point may be at another step).
        HoverTemplate = hover ? HoverText : null,
    };
}
