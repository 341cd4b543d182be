namespace PhoenixSlt.Core.Metrics;

/// Names of the metrics in validation results, events and checkpoint.json.
public static class MetricNames
{
    public const string ValLoss = "val_loss";
    public const string Bleu1 = "bleu1";
    public const string Bleu2 = "bleu2";
    public const string Bleu3 = "bleu3";
    public const string Bleu4 = "bleu4";
    public const string RougeL = "rouge_l";
    public const string Chrf = "chrf";

    /// sacrebleu 2.6.0 corpus BLEU (13a, exp smoothing) — the BLEU GFSLT-VLP reports.
    public const string SacreBleu = "sacrebleu";
}
