namespace PhoenixSlt.Core.Metrics;

/// Names of the metrics in validation results, progress events, checkpoint.json, the portal's metric points and
/// the CLI's JSON: the one place each name is spelled.
public static class MetricNames
{
    /// Validation loss (mean per sample); the watched metric of the text and vlp phases.
    public const string ValLoss = "val_loss";

    /// signjoey BLEU-1..4 (sacrebleu 1.4.2 semantics, as SLT papers report); BLEU-4 is the slt phase's watched metric.
    public const string Bleu1 = "bleu1";
    public const string Bleu2 = "bleu2";
    public const string Bleu3 = "bleu3";
    public const string Bleu4 = "bleu4";

    public const string RougeL = "rouge_l";
    public const string Chrf = "chrf";

    /// sacrebleu 2.6.0 corpus BLEU (13a, exp smoothing) — the BLEU GFSLT-VLP reports.
    public const string SacreBleu = "sacrebleu";

    /// Gloss word error rate (%) of the gloss CTC head on the validation split (lower is better).
    public const string GlossWer = "gloss_wer";

    /// In-batch retrieval accuracy of the vlp phase: video → text and text → video.
    public const string VisualToTextTop1 = "v2t_top1";
    public const string TextToVisualTop1 = "t2v_top1";

    /// Training loss of a step event.
    public const string Loss = "loss";

    /// Prefix of a step event's learning rate per parameter group: "lr_encoder", "lr_decoder", ….
    public const string LearningRatePrefix = "lr_";

    /// Training throughput of a step event.
    public const string SamplesPerSecond = "samples_per_s";

    /// The learning-rate metric of parameter group <paramref name="group"/>.
    public static string LearningRate(string group) => LearningRatePrefix + group;

    /// Whether a smaller value of metric <paramref name="name"/> is better: losses (val_loss, loss, any "…loss") and
    /// error rates (gloss_wer, any "…wer"); every other metric (BLEU, ROUGE-L, chrF, accuracies) is better higher.
    public static bool LowerIsBetter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.EndsWith("loss", StringComparison.OrdinalIgnoreCase) || name.EndsWith("wer", StringComparison.OrdinalIgnoreCase);
    }
}
