using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Evaluation;

/// Translates every clip of a split with batched beam (or greedy) search (<see cref="SltTranslator"/>, the decoding of
/// Core's inference entry point) and scores all hypotheses together.
/// With several ranks, rank r decodes the clips i ≡ r (mod world size); the hypotheses of every rank are gathered
/// (<see cref="ProcessGroupExtensions.AllGatherObject"/>) and put back in split order before scoring, so the
/// corpus BLEU is that of the whole split — never an average of per-rank scores. Every rank returns the same result.
public sealed class SltEvaluator
{
    private readonly SltTranslator _translator;
    private readonly Collator _collator;
    private readonly Device _device;

    /// Decodes with <paramref name="translator"/> the batches <paramref name="collator"/> pads on <paramref name="device"/>.
    public SltEvaluator(SltTranslator translator, Collator collator, Device device)
    {
        _translator = translator ?? throw new ArgumentNullException(nameof(translator));
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        _device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// An evaluator of a loaded checkpoint: its translator and collator, on its model's device.
    public static SltEvaluator Of(SltCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new SltEvaluator(checkpoint.Translator, checkpoint.Collator(), checkpoint.Model.Device);
    }

    /// Decodes and scores <paramref name="data"/> (see the class summary); the model is put in eval mode and restored.
    /// <paramref name="progress"/> hears the clips decoded (<see cref="ValidationCount.OfShare"/>): none at the start, then
    /// after every batch.
    public SltEvaluation Evaluate(PhoenixFeatureDataset data, SltEvaluationOptions options, IProcessGroup? group = null,
        CancellationToken cancellationToken = default, IProgress<ValidationCount>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        group ??= new SingleProcessGroup(_device);
        if (data.Count == 0)
            throw new PhoenixDataException(null, $"split '{data.Split}' has no samples to evaluate");

        var model = _translator.Model;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var config = _translator.GenerationConfig(options.NumBeams, options.MaxNewTokens);
            var mine = Enumerable.Range(0, data.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
            var lengths = data.FrameCounts();
            var batches = new LengthBucketBatchSampler(lengths, options.BatchSize, shuffle: false).Batches(0, mine);
            var decoded = new List<IndexedTranslation>(mine.Length);
            var recognised = new List<IndexedTranslation>();
            double lossSum = 0;
            long lossSamples = 0;
            progress?.Report(ValidationCount.OfShare(0, mine.Length, data.Count));
            foreach (int[] indices in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                using var batch = _collator.Collate(data.Get(indices), _device);
                if (options.ComputeLoss)
                {
                    var inputs = SltInputs.From(batch, _translator.Tokenizer, model.MaxDecoderPositions);
                    lossSum += model.call(inputs).Loss!.item<float>() * indices.Length;
                    lossSamples += indices.Length;
                }
                var hypotheses = _translator.Translate(batch, config);
                for (int b = 0; b < indices.Length; b++)
                    decoded.Add(new IndexedTranslation(indices[b], hypotheses[b]));
                if (_translator.RecognizeGlosses(batch) is { } glosses)
                    recognised.AddRange(indices.Select((index, b) => new IndexedTranslation(index, glosses[b])));
                progress?.Report(ValidationCount.OfShare(decoded.Count, mine.Length, data.Count));
            }

            var all = group.AllGatherObject(decoded, cancellationToken: cancellationToken).SelectMany(d => d).ToList();
            var hypothesisOf = new string[data.Count];
            foreach (var t in all)
                hypothesisOf[t.Index] = t.Hypothesis;
            var missing = Enumerable.Range(0, data.Count).Where(i => hypothesisOf[i] is null).ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException($"{missing.Count} clip(s) of split '{data.Split}' were not decoded by any rank");

            var references = data.Samples.Select(s => s.Translation).ToList();
            var metrics = new Dictionary<string, double>(TranslationScores.Compute(hypothesisOf, references), StringComparer.Ordinal);
            if (options.ComputeLoss)
            {
                double totalLoss = group.WorldSize > 1 ? group.AllReduceScalar(lossSum, cancellationToken: cancellationToken) : lossSum;
                double totalSamples = group.WorldSize > 1 ? group.AllReduceScalar(lossSamples, cancellationToken: cancellationToken) : lossSamples;
                metrics[MetricNames.ValLoss] = totalLoss / totalSamples;
            }
            if (_translator.Glosses is not null)
                metrics[MetricNames.GlossWer] = GlossRecognitionScore.Wer(recognised, data, group, cancellationToken);
            return new SltEvaluation(data.Samples.Select(s => s.Name).ToList(), references, hypothesisOf, metrics);
        }
        finally
        {
            if (wasTraining)
                model.train();
        }
    }

    /// One decoded clip with its position in the split (what ranks exchange).
    public sealed record IndexedTranslation(int Index, string Hypothesis);
}
