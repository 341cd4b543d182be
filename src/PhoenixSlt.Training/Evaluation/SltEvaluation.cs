using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Events;

namespace PhoenixSlt.Training.Evaluation;

/// The outcome of decoding a whole split.
/// <param name="Names">Sample names in split order.</param>
/// <param name="References">Reference translations in split order.</param>
/// <param name="Hypotheses">Decoded translations in split order.</param>
/// <param name="Metrics">Corpus metrics (<see cref="TranslationScores"/>) and val_loss when computed.</param>
public sealed record SltEvaluation(
    IReadOnlyList<string> Names,
    IReadOnlyList<string> References,
    IReadOnlyList<string> Hypotheses,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// The first <paramref name="count"/> translations for display.
    public IReadOnlyList<TranslationSample> Samples(int count)
        => Enumerable.Range(0, Math.Min(count, Names.Count)).Select(i => new TranslationSample(Names[i], References[i], Hypotheses[i])).ToList();
}
