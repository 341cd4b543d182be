namespace PhoenixSlt.Web.Data;

/// One value of a metric at a step (table "metric_points"), as <see cref="Services.Runs.RunEventMetrics"/> maps
/// progress events to points; names are <see cref="Core.Metrics.MetricNames"/>.
public sealed class MetricPoint
{
    public long Id { get; set; }
    public int RunId { get; set; }

    /// The stage (text, vlp or slt) the value belongs to: steps start at 0 again in each pipeline stage.
    public string Stage { get; set; } = "";

    public long Step { get; set; }
    public int Epoch { get; set; }
    public string Name { get; set; } = "";
    public double Value { get; set; }
    public DateTime Time { get; set; }
}
