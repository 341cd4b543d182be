using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Web.Services.Scoring;

/// BLEU settings chosen on the Score page (sacrebleu names: tokenize, lowercase, smooth method/value).
public sealed record ScoreSettings(
    BleuTokenizer Tokenize = BleuTokenizer.Mteval13a,
    bool Lowercase = false,
    BleuSmoothing Smoothing = BleuSmoothing.Exp,
    double? SmoothValue = null)
{
    public BleuOptions ToBleuOptions() => new()
    {
        Tokenize = Tokenize,
        Lowercase = Lowercase,
        SmoothMethod = Smoothing,
        SmoothValue = Smoothing is BleuSmoothing.Floor or BleuSmoothing.AddK ? SmoothValue : null,
    };
}

/// One row of the per-sentence table (1-based line number).
public sealed record SentenceScoreRow(int Line, string Hypothesis, IReadOnlyList<string> References, double Bleu);

/// Everything the Score page shows for one run.
public sealed record ScoreReport(MetricSuiteResult Metrics, IReadOnlyList<SentenceScoreRow> Sentences, int ReferenceStreams);

/// Scores a checked <see cref="ScoreInput"/> with <see cref="MetricSuite"/> and shapes the result for display.
public static class ScoreCalculator
{
    /// Scores the input. A blank line in the second or later reference stream means "no such reference"
    /// for that sentence; the first stream is used as given (an empty line is an empty reference).
    /// <exception cref="ArgumentException">The metrics reject the input (for example mismatched streams).</exception>
    public static ScoreReport Compute(ScoreInput input, ScoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(settings);
        IReadOnlyList<IReadOnlyList<string?>> streams = [.. input.References.Select((stream, k) => ToStream(stream, k))];
        MetricSuiteResult metrics = MetricSuite.Score(input.Hypotheses, streams, settings.ToBleuOptions());
        var rows = new SentenceScoreRow[input.Hypotheses.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            string[] references = [.. streams.Select(s => s[i]).OfType<string>()];
            rows[i] = new SentenceScoreRow(i + 1, input.Hypotheses[i], references, metrics.SentenceBleu[i].Score);
        }
        return new ScoreReport(metrics, rows, streams.Count);
    }

    private static IReadOnlyList<string?> ToStream(IReadOnlyList<string> lines, int index)
        => [.. lines.Select(line => index > 0 && string.IsNullOrWhiteSpace(line) ? null : line)];
}
