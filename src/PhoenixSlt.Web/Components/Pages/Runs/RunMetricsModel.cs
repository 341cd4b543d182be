using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// The metric curves of one run, per stage (pipeline stages restart their steps): loaded from the stored metric
/// points, then extended by live step and eval events. A point whose step is not after the last point of its
/// curve is skipped, so the overlap of stored points and live events (and the replayed steps of a resumed run)
/// is drawn once. Live events become points through <see cref="RunEventMetrics.Of"/>, the mapping the stored points
/// were made with; names are <see cref="MetricNames"/>.
public sealed class RunMetricsModel
{
    public static IReadOnlyList<string> RetrievalMetrics { get; } = [MetricNames.VisualToTextTop1, MetricNames.TextToVisualTop1];

    private static readonly string[] StageOrder = [TrainingPhaseNames.Text, TrainingPhaseNames.Vlp, TrainingPhaseNames.Slt];

    private readonly Dictionary<string, Dictionary<string, List<ChartPoint>>> _stages = new(StringComparer.Ordinal);

    /// System metrics (<see cref="SystemMetricNames"/>) against the minutes since the run's first sample: they are
    /// sampled on a clock, several at one step (during a validation the step stands still).
    private readonly Dictionary<string, List<ChartPoint>> _system = new(StringComparer.Ordinal);
    private DateTime? _systemStart;

    /// Changes with every point added: lets a page redraw only when something changed.
    public int Version { get; private set; }

    /// Stages with at least one point, in pipeline order (text, vlp, slt), then any other.
    public IReadOnlyList<string> Stages =>
    [
        .. _stages.Keys.OrderBy(s => Array.IndexOf(StageOrder, s) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(s => s, StringComparer.Ordinal),
    ];

    /// Adds stored points (in their stored order).
    public void Load(IEnumerable<MetricValue> values)
    {
        foreach (MetricValue value in values)
        {
            if (SystemMetricNames.IsSystem(value.Name))
                AddSystem(value.Name, value.Time, value.Value);
            else
                Add(value.Stage, value.Name, value.Step, value.Value);
        }
    }

    /// Adds the values of a live system sample.
    public void Apply(RunSystemUpdate sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        foreach (var (name, value) in sample.Values)
            AddSystem(name, sample.Time, value);
    }

    /// Appends a system metric at <paramref name="time"/> unless it is not after the curve's last point or not
    /// finite. True when added.
    public bool AddSystem(string name, DateTime time, double value)
    {
        if (!double.IsFinite(value))
            return false;
        _systemStart ??= time;
        double minutes = (time - _systemStart.Value).TotalMinutes;
        if (!_system.TryGetValue(name, out var points))
            _system[name] = points = [];
        if (minutes < 0 || (points.Count > 0 && points[^1].X >= minutes))
            return false;
        points.Add(new ChartPoint(minutes, value));
        Version++;
        return true;
    }

    /// The points of a system metric (x = minutes since the first sample).
    public IReadOnlyList<ChartPoint> SystemPoints(string name) => _system.TryGetValue(name, out var points) ? points : [];

    /// CPU use (100 = one core) and, on CUDA runs, GPU utilisation, against minutes.
    public IReadOnlyList<MetricSeries> CpuSeries() =>
    [
        new MetricSeries("CPU %", SystemPoints(SystemMetricNames.CpuPercent)),
        .. SystemPoints(SystemMetricNames.GpuPercent) is { Count: > 0 } gpu ? [new MetricSeries("GPU %", gpu)] : Array.Empty<MetricSeries>(),
    ];

    /// Resident memory of the run's processes and, on CUDA runs, the memory used on its GPUs, in MiB.
    public IReadOnlyList<MetricSeries> MemorySeries() =>
    [
        new MetricSeries("resident MiB", SystemPoints(SystemMetricNames.RssMiB)),
        .. SystemPoints(SystemMetricNames.GpuMemoryMiB) is { Count: > 0 } gpu ? [new MetricSeries("GPU MiB", gpu)] : Array.Empty<MetricSeries>(),
    ];

    /// Training throughput of the stage's step events.
    public IReadOnlyList<MetricSeries> ThroughputSeries(string stage) => [new MetricSeries("samples/s", Points(stage, MetricNames.SamplesPerSecond))];

    /// Adds the points of a live progress event of <paramref name="stage"/>; other event types carry no curve points.
    public void Apply(string stage, ProgressEvent progress)
    {
        foreach (var point in RunEventMetrics.Of(progress))
            Add(stage, point.Name, point.Step, point.Value);
    }

    /// Appends (step, value) to the curve <paramref name="name"/> of <paramref name="stage"/> unless the step is not
    /// after its last point or the value is not finite. True when added.
    public bool Add(string stage, string name, long step, double value)
    {
        if (!double.IsFinite(value))
            return false;
        if (!_stages.TryGetValue(stage, out var curves))
            _stages[stage] = curves = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        if (!curves.TryGetValue(name, out var points))
            curves[name] = points = [];
        if (points.Count > 0 && points[^1].X >= step)
            return false;
        points.Add(new ChartPoint(step, value));
        Version++;
        return true;
    }

    /// The points of one curve (empty when there are none).
    public IReadOnlyList<ChartPoint> Points(string stage, string name)
        => _stages.TryGetValue(stage, out var curves) && curves.TryGetValue(name, out var points) ? points : [];

    public bool Has(string stage, string name) => Points(stage, name).Count > 0;

    /// Training loss (a line) and validation loss (dots on a line) against the step.
    public IReadOnlyList<MetricSeries> LossSeries(string stage) =>
    [
        new MetricSeries("train loss", Points(stage, MetricNames.Loss)),
        new MetricSeries("val loss", Points(stage, MetricNames.ValLoss), ShowMarkers: true),
    ];

    /// One curve per parameter group ("encoder", "decoder", …).
    public IReadOnlyList<MetricSeries> LearningRateSeries(string stage)
        => _stages.TryGetValue(stage, out var curves)
            ? [.. curves.Where(c => c.Key.StartsWith(MetricNames.LearningRatePrefix, StringComparison.Ordinal))
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new MetricSeries(c.Key[MetricNames.LearningRatePrefix.Length..], c.Value))]
            : [];

    /// BLEU-4 per validation.
    public IReadOnlyList<MetricSeries> Bleu4Series(string stage) => [new MetricSeries("BLEU-4", Points(stage, MetricNames.Bleu4), ShowMarkers: true)];

    /// In-batch retrieval accuracy of the vlp stage (video → text and text → video).
    public IReadOnlyList<MetricSeries> RetrievalSeries(string stage)
        => [.. RetrievalMetrics.Select(name => new MetricSeries(name, Points(stage, name), ShowMarkers: true))];
}
