using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Evaluation;
using PhoenixSlt.Web.Data;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Corpus metrics and sentence rows of an evaluation, from the hypotheses file of `phoenix-slt evaluate` and the
/// references of the split (pure metric code).
public static class EvaluationScoring
{
    /// The lines of a hypotheses file (one per clip, '\n' ends; a final empty line is the last line's end).
    public static IReadOnlyList<string> ReadHypotheses(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    /// Sentence rows (split order) with sacrebleu sentence BLEU; throws when the counts differ.
    public static IReadOnlyList<SentenceResult> Sentences(IReadOnlyList<string> hypotheses, IReadOnlyList<PhoenixSample> samples)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(samples);
        if (hypotheses.Count != samples.Count)
            throw new InvalidDataException($"{hypotheses.Count} hypotheses for the {samples.Count} clips of the split: the evaluation output is incomplete; evaluate again.");
        return [.. samples.Select((s, i) => new SentenceResult(i, s.Name, s.Translation, hypotheses[i],
            BleuMetric.SentenceScore(hypotheses[i], [s.Translation]).Score))];
    }

    /// Stores the corpus metrics (<see cref="TranslationScores"/>) and the sentences on <paramref name="evaluation"/>.
    public static void Apply(EvaluationEntity evaluation, IReadOnlyList<SentenceResult> sentences)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(sentences);
        var metrics = TranslationScores.Compute([.. sentences.Select(s => s.Hypothesis)], [.. sentences.Select(s => s.Reference)]);
        double? Get(string name) => metrics.TryGetValue(name, out double v) && double.IsFinite(v) ? v : null;
        evaluation.Clips = sentences.Count;
        evaluation.Bleu1 = Get(MetricNames.Bleu1);
        evaluation.Bleu2 = Get(MetricNames.Bleu2);
        evaluation.Bleu3 = Get(MetricNames.Bleu3);
        evaluation.Bleu4 = Get(MetricNames.Bleu4);
        evaluation.SacreBleu = Get(MetricNames.SacreBleu);
        evaluation.RougeL = Get(MetricNames.RougeL);
        evaluation.Chrf = Get(MetricNames.Chrf);
        evaluation.Sentences = [.. sentences.Select(s => new EvaluationSentence
        {
            Index = s.Index,
            Name = s.Name,
            Reference = s.Reference,
            Hypothesis = s.Hypothesis,
            SentenceBleu = s.SentenceBleu,
        })];
    }

    public static EvaluationInfo ToInfo(EvaluationEntity e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new EvaluationInfo(e.Id, e.CheckpointId, e.CheckpointPath, e.Dataset, e.Split, e.Beams, e.Status, e.Error,
            e.CreatedAt, e.StartedAt, e.FinishedAt, e.Clips, e.Bleu1, e.Bleu2, e.Bleu3, e.Bleu4, e.SacreBleu, e.RougeL, e.Chrf);
    }
}
