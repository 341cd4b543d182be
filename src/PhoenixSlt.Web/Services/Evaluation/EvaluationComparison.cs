using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// One evaluation in a comparison: its metrics, bootstrap interval and the p-values of its BLEU difference from the
/// first evaluation (null for the first): <paramref name="PValue"/> by paired bootstrap, <paramref name="ArPValue"/> by
/// approximate randomization.
public sealed record ComparedSystem(EvaluationInfo Evaluation, BootstrapInterval Bleu, double? Difference, double? PValue, double? ArPValue)
{
    public bool IsSignificant => PValue is < PairedBootstrapComparison.SignificanceLevel;

    public bool IsArSignificant => ArPValue is < PairedBootstrapComparison.SignificanceLevel;
}

/// One clip: the reference, each evaluation's hypothesis and sentence BLEU (same order as the systems), and the
/// difference that ranks it: the sentence BLEU furthest from the first evaluation's, signed (other − first).
public sealed record ComparisonRow(int Index, string Name, string Reference, IReadOnlyList<string> Hypotheses, IReadOnlyList<double> SentenceBleu, double Difference);

/// GET /api/compare: metrics, paired bootstrap (<paramref name="Resamples"/>) and approximate randomization
/// (<paramref name="Trials"/>) against the first evaluation, both seeded with <paramref name="Seed"/>, per-sentence rows.
public sealed record EvaluationComparison(IReadOnlyList<ComparedSystem> Systems, IReadOnlyList<ComparisonRow> Rows, int Resamples, int Seed, int Trials);

public static class ComparisonBuilder
{
    /// Why <paramref name="evaluations"/> cannot be compared, or null: fewer than two, not completed, different
    /// splits or datasets, or different references.
    public static string? Problem(IReadOnlyList<EvaluationDetails> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        if (evaluations.Count < 2)
            return "Pick at least two evaluations to compare.";
        if (evaluations.FirstOrDefault(e => e.Evaluation.Status != JobStatus.Completed) is { } open)
            return $"Evaluation {open.Evaluation.Id} is {open.Evaluation.Status.ToText()}; compare completed evaluations only.";
        var first = evaluations[0];
        foreach (var other in evaluations.Skip(1))
        {
            if (other.Evaluation.Split != first.Evaluation.Split || other.Evaluation.Dataset != first.Evaluation.Dataset)
                return $"Evaluation {other.Evaluation.Id} is on {other.Evaluation.Dataset}/{other.Evaluation.Split}, evaluation {first.Evaluation.Id} on {first.Evaluation.Dataset}/{first.Evaluation.Split}; compare evaluations of the same split.";
            if (other.Sentences.Count != first.Sentences.Count
                || other.Sentences.Where((s, i) => s.Reference != first.Sentences[i].Reference).Any())
                return $"Evaluations {first.Evaluation.Id} and {other.Evaluation.Id} have different references (the split changed between them); evaluate both again.";
        }
        return null;
    }

    /// Builds the comparison; throws <see cref="ArgumentException"/> when <see cref="Problem"/> finds one.
    public static EvaluationComparison Build(
        IReadOnlyList<EvaluationDetails> evaluations,
        int resamples = PairedBootstrap.DefaultResamples,
        int seed = PairedBootstrap.DefaultSeed,
        int trials = ApproximateRandomization.DefaultTrials)
    {
        if (Problem(evaluations) is string problem)
            throw new ArgumentException(problem, nameof(evaluations));
        string[] references = [.. evaluations[0].Sentences.Select(s => s.Reference)];
        var statistics = evaluations.Select(e => PairedBootstrap.SegmentStatistics([.. e.Sentences.Select(s => s.Hypothesis)], references)).ToArray();
        var bootstrap = PairedBootstrap.Compare(statistics[0], statistics[1..], resamples: resamples, seed: seed);
        var randomization = ApproximateRandomization.Compare(statistics[0], statistics[1..], trials: trials, seed: seed);
        var systems = new List<ComparedSystem> { new(evaluations[0].Evaluation, bootstrap.Baseline, null, null, null) };
        systems.AddRange(bootstrap.Systems.Select((c, i) =>
            new ComparedSystem(evaluations[i + 1].Evaluation, c.System, c.Difference, c.PValue, randomization.Systems[i].PValue)));
        return new EvaluationComparison(systems, Rows(evaluations), bootstrap.Resamples, bootstrap.Seed, randomization.Trials);
    }

    public static IReadOnlyList<ComparisonRow> Rows(IReadOnlyList<EvaluationDetails> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var first = evaluations[0].Sentences;
        return [.. first.Select((s, i) =>
        {
            double[] bleu = [.. evaluations.Select(e => e.Sentences[i].SentenceBleu)];
            return new ComparisonRow(s.Index, s.Name, s.Reference, [.. evaluations.Select(e => e.Sentences[i].Hypothesis)], bleu, Difference(bleu));
        })];
    }

    /// The signed difference (other − first) of largest magnitude; 0 for a single value.
    public static double Difference(IReadOnlyList<double> sentenceBleu)
    {
        ArgumentNullException.ThrowIfNull(sentenceBleu);
        double best = 0;
        for (int i = 1; i < sentenceBleu.Count; i++)
        {
            double d = sentenceBleu[i] - sentenceBleu[0];
            if (Math.Abs(d) > Math.Abs(best))
                best = d;
        }
        return best;
    }
}
