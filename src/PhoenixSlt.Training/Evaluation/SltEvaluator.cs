using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Evaluation;

/// Decoding settings of an evaluation.
/// <param name="NumBeams">1 = greedy search.</param>
/// <param name="BatchSize">Clips decoded together.</param>
/// <param name="MaxNewTokens">Tokens generated at most per clip (after the language code).</param>
/// <param name="SamplesToShow">Translations copied into the result for display.</param>
/// <param name="ComputeLoss">Also compute the teacher-forced validation loss.</param>
public sealed record SltEvaluationOptions(int NumBeams = 5, int BatchSize = 16, int MaxNewTokens = 64, int SamplesToShow = 3, bool ComputeLoss = true)
{
    public SltEvaluationOptions Validate()
    {
        if (NumBeams < 1)
            throw new TrainingConfigurationException($"--beams {NumBeams} must be at least 1 (1 = greedy search)");
        if (BatchSize < 1)
            throw new TrainingConfigurationException($"evaluation batch size {BatchSize} must be at least 1");
        if (MaxNewTokens < 1)
            throw new TrainingConfigurationException($"the maximum translation length {MaxNewTokens} must be at least 1 token");
        return this;
    }
}

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

/// Translates every clip of a split with batched beam (or greedy) search and scores all hypotheses together.
/// With several ranks, rank r decodes the clips i ≡ r (mod world size); the hypotheses of every rank are gathered
/// (<see cref="ProcessGroupExtensions.AllGatherObject"/>) and put back in split order before scoring, so the
/// corpus BLEU is that of the whole split — never an average of per-rank scores. Every rank returns the same result.
public sealed class SltEvaluator
{
    private readonly SignTranslationModel _model;
    private readonly ISltTokenizer _tokenizer;
    private readonly Collator _collator;
    private readonly Device _device;

    public SltEvaluator(SignTranslationModel model, ISltTokenizer tokenizer, Collator collator, Device device)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        _device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// Generation settings: the target language code starts decoding (mBART), forced EOS at the maximum length.
    public GenerationConfig GenerationConfig(int numBeams, int maxNewTokens)
        => Core.Decoding.GenerationConfig.FromModel(_model) with
        {
            DecoderStartTokenId = _tokenizer.LanguageId(_tokenizer.DefaultLanguage),
            NumBeams = numBeams,
            MaxNewTokens = Math.Min(maxNewTokens, _model.MaxDecoderPositions - 1),
        };

    /// Translates a collated batch; one string per clip.
    public IReadOnlyList<string> Translate(PhoenixBatch batch, GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var output = _model.Generate(VisualInputs.From(batch), config);
        return output.Sequences.Select(s => _tokenizer.Decode(s.Select(id => (int)id))).ToList();
    }

    /// Decodes and scores <paramref name="data"/> (see the class summary); the model is put in eval mode and restored.
    public SltEvaluation Evaluate(PhoenixFeatureDataset data, SltEvaluationOptions options, IProcessGroup? group = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        group ??= new SingleProcessGroup(_device);
        if (data.Count == 0)
            throw new PhoenixDataException(null, $"split '{data.Split}' has no samples to evaluate");

        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            var config = GenerationConfig(options.NumBeams, options.MaxNewTokens);
            var mine = Enumerable.Range(0, data.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
            var lengths = data.FrameCounts();
            var batches = new LengthBucketBatchSampler(lengths, options.BatchSize, shuffle: false).Batches(0, mine);
            var decoded = new List<IndexedTranslation>(mine.Length);
            double lossSum = 0;
            long lossSamples = 0;
            foreach (int[] indices in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                using var batch = _collator.Collate(data.Get(indices), _device);
                if (options.ComputeLoss)
                {
                    var inputs = SltInputs.From(batch, _tokenizer, _model.MaxDecoderPositions);
                    lossSum += _model.call(inputs).Loss!.item<float>() * indices.Length;
                    lossSamples += indices.Length;
                }
                var hypotheses = Translate(batch, config);
                for (int b = 0; b < indices.Length; b++)
                    decoded.Add(new IndexedTranslation(indices[b], hypotheses[b]));
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
            return new SltEvaluation(data.Samples.Select(s => s.Name).ToList(), references, hypothesisOf, metrics);
        }
        finally
        {
            if (wasTraining)
                _model.train();
        }
    }

    /// One decoded clip with its position in the split (what ranks exchange).
    public sealed record IndexedTranslation(int Index, string Hypothesis);
}
