using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Denoising;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// Settings of the text phase.
/// <param name="BatchSize">Sentences per micro-batch (per rank).</param>
/// <param name="MaxLength">Token cap of a sentence including "&lt;/s&gt; lang".</param>
/// <param name="LabelSmoothing">ε of the training loss (validation uses the same loss).</param>
/// <param name="Objective">One of <see cref="TextObjectives.Names"/>.</param>
/// <param name="NumBeams">Beams of the gloss2text validation translations.</param>
/// <param name="MaxNewTokens">Token cap of a gloss2text validation translation.</param>
public sealed record TextTaskOptions(int BatchSize, int MaxLength, double LabelSmoothing = 0.1, int Seed = 42,
    string Objective = TextObjectives.Denoise, int NumBeams = 1, int MaxNewTokens = 64);

/// The text phase, one of two objectives (<see cref="TextObjectives"/>), loss = label-smoothed cross-entropy of the
/// decoder's "text &lt;/s&gt; lang" (teacher forcing on "lang text &lt;/s&gt;"):
/// <list type="bullet">
/// <item>denoise — mBART pre-training on the corpus sentences (Liu et al., 2020): the encoder reads the sentence with
/// spans of words replaced by &lt;mask&gt; (<see cref="SpanMasking"/>: 35 % of the words, Poisson(3.5) span lengths).
/// The noise of a training sentence depends on (seed, epoch, sentence) only, so a run is reproducible and independent
/// of batching; validation sentences always get the same noise (seed, sentence), so val_loss is comparable between
/// evaluations; best = lowest val_loss.</item>
/// <item>gloss2text — the encoder reads the clip's glosses "glosses &lt;/s&gt; lang" and the decoder writes the
/// sentence; validation also translates the validation glosses (bleu4, rouge_l, chrf …) and best = highest bleu4.</item>
/// </list>
/// <para>The checkpoint folder is also a Hugging Face style mBART folder (config.json + model.safetensors with
/// transformers' names) with the tokenizer, so <c>--mbart</c> of the vlp and slt phases accepts it.</para>
public sealed class TextPretrainingTask : ITrainingTask
{
    private const string EncoderPrefix = "model.encoder.";

    private readonly MBartForConditionalGeneration _model;
    private readonly ISltTokenizer _tokenizer;
    private readonly IReadOnlyList<EncodedExample> _train;
    private readonly IReadOnlyList<EncodedExample> _validation;
    private readonly TextTaskOptions _options;
    private readonly SpanMasking _masking = new();
    private readonly Func<int, bool> _isWordStart;
    private readonly BatchPlan _plan;
    private readonly TrainingRecipe _recipe;
    private readonly JsonElement _config;

    public TextPretrainingTask(MBartForConditionalGeneration model, ISltTokenizer tokenizer, IReadOnlyList<TextExample> trainExamples,
        IReadOnlyList<TextExample> validationExamples, TextTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        _config = config;
        if (tokenizer.MaskId >= model.Config.VocabSize)
            throw new TrainingConfigurationException($"the tokenizer's <mask> id {tokenizer.MaskId} is outside the model's {model.Config.VocabSize} ids; use the tokenizer of the mBART weights");
        if (!TextObjectives.Names.Contains(options.Objective))
            throw new ArgumentException($"unknown text objective '{options.Objective}'; use {string.Join(" or ", TextObjectives.Names)}", nameof(options));
        ArgumentNullException.ThrowIfNull(trainExamples);
        ArgumentNullException.ThrowIfNull(validationExamples);
        _train = Encode(trainExamples);
        _validation = Encode(validationExamples);
        _isWordStart = WordStartRule(tokenizer);
        _plan = new BatchPlan(_train.Select(e => e.Target.Count).ToArray(), options.BatchSize, options.Seed);
        Goal = IsGlossToText ? new MetricGoal(MetricNames.Bleu4, HigherIsBetter: true) : new MetricGoal(MetricNames.ValLoss, HigherIsBetter: false);
    }

    /// Translations listed in each gloss2text validation (named by their glosses).
    private const int SamplesToShow = 3;

    private bool IsGlossToText => _options.Objective == TextObjectives.GlossToText;

    /// Sentences the objective can use: a non-empty target, and glosses for gloss2text.
    private bool Usable(TextExample example)
        => !string.IsNullOrWhiteSpace(example.Target) && (!IsGlossToText || !string.IsNullOrWhiteSpace(example.Source));

    public TrainingPhase Phase => TrainingPhase.Text;

    public nn.Module Model => _model;

    public MBartForConditionalGeneration MBart => _model;

    public Device Device { get; }

    public MetricGoal Goal { get; }

    /// Training sentences the objective uses (gloss2text leaves out sentences without glosses).
    public int TrainCount => _train.Count;

    public JsonElement DescribeConfig() => _config;

    /// "encoder": the mBART encoder layers; "decoder": the decoder and the shared embedding / LM head.
    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var encoder = new List<(string Name, TorchSharp.Modules.Parameter Parameter)>();
        var decoder = new List<(string Name, TorchSharp.Modules.Parameter Parameter)>();
        foreach (var (name, parameter) in _model.named_parameters())
        {
            if (!parameter.requires_grad)
                continue;
            (name.StartsWith(EncoderPrefix, StringComparison.Ordinal) && !name.EndsWith("embed_tokens.weight", StringComparison.Ordinal) ? encoder : decoder).Add((name, parameter));
        }
        var groups = new List<ParameterGroup>();
        if (encoder.Count > 0)
            groups.Add(new ParameterGroup(SignTranslationModel.EncoderGroup, encoder.Select(p => p.Name).ToList(), encoder.Select(p => p.Parameter).ToList()));
        if (decoder.Count > 0)
            groups.Add(new ParameterGroup(SignTranslationModel.DecoderGroup, decoder.Select(p => p.Name).ToList(), decoder.Select(p => p.Parameter).ToList()));
        return groups;
    }

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize) => _plan.Batches(epoch, rank, worldSize);

    public Tensor Loss(int[] batch, int epoch) => BatchLoss(_train, batch, index => DeterministicSeed.Mix(_options.Seed, epoch, index));

    public ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken)
    {
        var mine = Enumerable.Range(0, _validation.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
        var lengths = _validation.Select(e => (e.Source ?? e.Target).Count).ToArray();
        double loss = 0, samples = 0;
        var translated = new List<SltEvaluator.IndexedTranslation>();
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            progress?.Report(ValidationCount.OfShare(0, mine.Length, _validation.Count));
            foreach (int[] batch in new Core.Data.LengthBucketBatchSampler(lengths, _options.BatchSize, shuffle: false).Batches(0, mine))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                loss += BatchLoss(_validation, batch, index => DeterministicSeed.Mix(_options.Seed, -1, index)).item<float>() * batch.Length;
                samples += batch.Length;
                if (IsGlossToText)
                    translated.AddRange(batch.Zip(Translate(batch), (index, hypothesis) => new SltEvaluator.IndexedTranslation(index, hypothesis)));
                progress?.Report(ValidationCount.OfShare((int)samples, mine.Length, _validation.Count));
            }
        }
        finally
        {
            if (wasTraining)
                _model.train();
        }
        double Sum(double value) => group.WorldSize > 1 ? group.AllReduceScalar(value, cancellationToken: cancellationToken) : value;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.ValLoss] = Sum(loss) / Sum(samples) };
        if (!IsGlossToText)
            return new ValidationResult(metrics, []);

        var hypotheses = new string[_validation.Count];
        var all = group.WorldSize > 1 ? group.AllGatherObject(translated, cancellationToken: cancellationToken).SelectMany(t => t) : translated;
        foreach (var t in all)
            hypotheses[t.Index] = t.Hypothesis;
        var references = _validation.Select(e => e.Reference).ToList();
        foreach (var (name, value) in TranslationScores.Compute(hypotheses, references))
            metrics[name] = value;
        var shown = Enumerable.Range(0, Math.Min(SamplesToShow, hypotheses.Length))
            .Select(i => new Events.TranslationSample(_validation[i].Glosses ?? "", references[i], hypotheses[i]))
            .ToList();
        return new ValidationResult(metrics, shown);
    }

    /// Translates the glosses of validation sentences <paramref name="batch"/> (gloss2text), in batch order.
    private IEnumerable<string> Translate(int[] batch)
    {
        var (inputIds, mask) = TokenTensors.From(TokenBatch.FromRows(batch.Select(i => (IReadOnlyList<int>)_validation[i].Source!).ToList(), _tokenizer.PadId), Device);
        var config = Core.Decoding.GenerationConfig.FromModel(_model) with
        {
            DecoderStartTokenId = _tokenizer.LanguageId(_tokenizer.DefaultLanguage),
            NumBeams = _options.NumBeams,
            MaxNewTokens = Math.Min(_options.MaxNewTokens, _model.MaxDecoderPositions - 1),
        };
        using var output = new Core.Decoding.SequenceGenerator(_model).Generate(Core.Decoding.GenerationInputs.FromIds(inputIds, mask), config);
        return output.Sequences.Select(s => _tokenizer.Decode(s.Select(id => (int)id))).ToList();
    }

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = request.Metadata(CheckpointPhase.Text, _model.Config);
        return new CheckpointContent(metadata, MBartPretrained.StateDictForSaving(_model))
        {
            Tokenizer = _tokenizer,
            WriteExtraFiles = folder =>
            {
                File.WriteAllText(Path.Combine(folder, MBartPretrained.ConfigFileName), _model.Config.ToJson());
                _recipe.Save(folder);
            },
        };
    }

    /// The noised encoder input and the target of one sentence: (noised text ids + suffix, original ids).
    public (int[] Input, IReadOnlyList<int> Target) Noise(IReadOnlyList<int> ids, Random random)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = ids.Take(ids.Count - 2).ToList();
        var noised = _masking.Apply(text, _isWordStart, _tokenizer.MaskId, random);
        return ([.. noised, .. ids.Skip(ids.Count - 2)], ids);
    }

    public void Dispose() => _model.Dispose();

    private Tensor BatchLoss(IReadOnlyList<EncodedExample> examples, int[] batch, Func<int, int> seedOf)
    {
        var inputs = new List<IReadOnlyList<int>>(batch.Length);
        var targets = new List<IReadOnlyList<int>>(batch.Length);
        foreach (int index in batch)
        {
            var example = examples[index];
            inputs.Add(example.Source ?? Noise(example.Target, new Random(seedOf(index))).Input);
            targets.Add(example.Target);
        }
        var (inputIds, mask) = TokenTensors.From(TokenBatch.FromRows(inputs, _tokenizer.PadId), Device);
        var (labels, _) = TokenTensors.From(TokenBatch.FromRows(targets, _tokenizer.PadId), Device);
        var output = _model.call(new MBartInputs
        {
            InputIds = inputIds,
            AttentionMask = mask,
            DecoderInputIds = MBartLoss.ShiftTokensRight(labels, _tokenizer.PadId),
        });
        return MBartLoss.LabelSmoothedCrossEntropy(output.Logits, labels, _tokenizer.PadId, _options.LabelSmoothing);
    }

    /// Token ids of the examples the objective can use (<see cref="Usable"/>; sentences that encode to nothing are left
    /// out); a gloss2text source is the glosses with the same "&lt;/s&gt; lang" suffix.
    private List<EncodedExample> Encode(IEnumerable<TextExample> examples)
        => examples
            .Where(Usable)
            .Select(e => new EncodedExample(
                IsGlossToText ? _tokenizer.Encode(e.Source!, maxLength: _options.MaxLength) : null,
                _tokenizer.Encode(e.Target, maxLength: _options.MaxLength),
                e.Target,
                e.Source))
            .Where(e => e.Target.Count > 2 && (e.Source is null || e.Source.Count > 2))
            .ToList();

    private sealed record EncodedExample(IReadOnlyList<int>? Source, IReadOnlyList<int> Target, string Reference, string? Glosses);

    /// Corpus vocabularies hold whole words; SentencePiece pieces starting with '▁' begin a word.
    public static Func<int, bool> WordStartRule(ISltTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer is CorpusTokenizer)
            return _ => true;
        return id => tokenizer.IdToToken(id).StartsWith('\u2581');
    }
}
