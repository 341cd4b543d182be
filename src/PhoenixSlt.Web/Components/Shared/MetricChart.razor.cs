using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Plotly.Blazor;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace PhoenixSlt.Web.Components.Shared;

/// Keeps a Plotly plot of <see cref="Series"/>: the plot is created once when the first point arrives, then updated in
/// place with Plotly.react (which diffs) only when the series or the reader's choices changed, so a page re-rendering
/// for other reasons sends nothing and a page that throttles its live updates redraws once per batch. Series are
/// compared by their point counts and last points: they are appended to or replaced, never edited in the middle.
public partial class MetricChart
{
    private PlotlyChart? _chart;
    private List<ITrace> _data = [];
    private PlotlyLayout _layout = new();
    private readonly Config _config = MetricChartPlot.BuildConfig();
    private bool _hasPoints;
    private bool _plotShown;
    private bool _needsUpdate;
    private int _plottedSignature;
    private double _smoothing;
    private bool _logY;
    private bool _canLog;

    [Parameter, EditorRequired] public string Title { get; set; } = "";

    /// The curves, overlaid on one step axis (e.g. train and val loss of a run, or one curve per run of a comparison).
    [Parameter, EditorRequired] public IReadOnlyList<MetricSeries> Series { get; set; } = [];

    /// Name of the x axis.
    [Parameter] public string XLabel { get; set; } = "step";

    /// Shown instead of the plot while no series has a point.
    [Parameter] public string EmptyText { get; set; } = "No points yet.";

    /// data-testid of the chart; the latest value of each series gets "{TestId}-latest-{series}", the plot
    /// "{TestId}-plot", the log switch "{TestId}-log" and the smoothing slider "{TestId}-smoothing".
    [Parameter] public string TestId { get; set; } = "metric-chart";

    /// Height of the plot in CSS pixels (it takes the width of its container).
    [Parameter] public int Height { get; set; } = 260;

    /// How the y range is chosen (<see cref="ChartAxis.YRange"/>).
    [Parameter] public ChartYScale YScale { get; set; } = ChartYScale.Auto;

    /// The smoothing weight the chart starts with (0 = off, at most <see cref="ChartSmoothing.MaxWeight"/>).
    [Parameter] public double InitialSmoothing { get; set; }

    /// Whether the chart starts with a log y axis.
    [Parameter] public bool InitialLogY { get; set; }

    [Inject] private ILogger<MetricChart> Logger { get; set; } = null!;

    protected override void OnInitialized()
    {
        _smoothing = ChartSmoothing.Clamp(InitialSmoothing);
        _logY = InitialLogY;
    }

    protected override void OnParametersSet() => Refresh();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_needsUpdate || _chart is null)
            return;
        _needsUpdate = false;
        try
        {
            await _chart.React();
        }
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException or ObjectDisposedException)
        {
            Logger.LogDebug(e, "Chart {TestId} not updated: the page went away", TestId);
        }
    }

    /// Rebuilds the figure when something it shows changed; a plot that already exists is then updated after render.
    private void Refresh()
    {
        _hasPoints = Series.Any(s => s.Latest is not null);
        _canLog = ChartAxis.CanUseLog(MetricChartPlot.YValues(Series));
        if (!_hasPoints)
        {
            _plotShown = false; // the plot leaves the page; the next point creates a new one
            return;
        }
        int signature = Signature();
        if (_plotShown && signature == _plottedSignature)
            return;
        var view = new ChartView(_smoothing, _logY, YScale, XLabel, Height);
        _data = MetricChartPlot.Traces(Series, view);
        _layout = MetricChartPlot.BuildLayout(Series, view);
        _needsUpdate = _plotShown; // a new plot draws the current figure itself
        _plotShown = true;
        _plottedSignature = signature;
    }

    private int Signature()
    {
        var hash = new HashCode();
        hash.Add(_smoothing);
        hash.Add(_logY);
        hash.Add(YScale);
        hash.Add(XLabel);
        hash.Add(Height);
        foreach (MetricSeries series in Series)
        {
            hash.Add(series.Name);
            hash.Add(series.ShowMarkers);
            hash.Add(series.Color);
            hash.Add(series.Points.Count);
            hash.Add(series.Points.Count > 0 ? series.Points[^1] : default);
            hash.Add(series.Band is { } band ? (band.Lower.Count > 0 ? band.Lower[^1] : 0, band.Upper.Count > 0 ? band.Upper[^1] : 0) : default);
        }
        return hash.ToHashCode();
    }

    private void SetLogY(bool value)
    {
        _logY = value;
        Refresh();
    }

    private void SetSmoothing(ChangeEventArgs e)
    {
        if (double.TryParse(Convert.ToString(e.Value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double weight))
            _smoothing = ChartSmoothing.Clamp(weight);
        Refresh();
    }

    private static string Num(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string LatestText(MetricSeries series)
        => series.Latest is { } latest
            ? $"{DisplayFormat.Metric(latest.Y)} @ {latest.X.ToString("0.#", CultureInfo.InvariantCulture)}"
            : "–";
}
