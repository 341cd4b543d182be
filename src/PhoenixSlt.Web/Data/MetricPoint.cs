namespace PhoenixSlt.Web.Data;

/// One value of a metric at a step (table "metric_points"). Names: "loss", "lr_&lt;group&gt;" and "samples_per_s"
/// from step events; every key of an eval event's metrics ("val_loss", "bleu4", "sacrebleu", …).
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
