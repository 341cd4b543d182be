using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Distributed;

namespace PhoenixSlt.Training.Evaluation;

/// Gloss WER of a split whose clips were recognised across ranks: each rank passes the glosses it recognised (by
/// clip index); every rank gets the corpus WER against the split's orth column.
public static class GlossRecognitionScore
{
    public static double Wer(IReadOnlyList<SltEvaluator.IndexedTranslation> recognised, PhoenixFeatureDataset data, IProcessGroup group,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recognised);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(group);
        var glossesOf = new string[data.Count];
        foreach (var t in group.AllGatherObject(recognised.ToList(), cancellationToken: cancellationToken).SelectMany(r => r))
            glossesOf[t.Index] = t.Hypothesis;
        return WordErrorRate.Corpus(glossesOf, [.. data.Samples.Select(s => s.Orth)]);
    }
}
