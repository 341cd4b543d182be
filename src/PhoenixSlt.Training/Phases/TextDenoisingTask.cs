using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Denoising;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// Settings of the text phase.
/// <param name="BatchSize">Sentences per micro-batch (per rank).</param>
/// <param name="MaxLength">Token cap of a sentence including "&lt;/s&gt; lang".</param>
/// <param name="LabelSmoothing">ε of the training loss (validation uses the same loss).</param>
public sealed record TextTaskOptions(int BatchSize, int MaxLength, double LabelSmoothing = 0.1, int Seed = 42);

/// mBART denoising pre-training on the corpus sentences (Liu et al., 2020): the encoder reads the sentence with
/// spans of words replaced by &lt;mask&gt; (<see cref="SpanMasking"/>: 35 % of the words, Poisson(3.5) span lengths),
/// the decoder reconstructs the original "text &lt;/s&gt; lang" (teacher forcing on "lang text &lt;/s&gt;"), loss =
/// label-smoothed cross-entropy. The noise of a training sentence depends on (seed, epoch, sentence) only, so a run
/// is reproducible and independent of batching; validation sentences always get the same noise (seed, sentence),
/// so val_loss is comparable between evaluations; best = lowest val_loss.
/// <para>The checkpoint folder is also a Hugging Face style mBART folder (config.json + model.safetensors with
/// transformers' names) with the tokenizer, so <c>--mbart</c> of the vlp and slt phases accepts it.</para>
public sealed class TextDenoisingTask : ITrainingTask
{
    private const string EncoderPrefix = "model.encoder.";

    private readonly MBartForConditionalGeneration _model;
    private readonly ISltTokenizer _tokenizer;
    private readonly IReadOnlyList<IReadOnlyList<int>> _train;
    private readonly IReadOnlyList<IReadOnlyList<int>> _validation;
    private readonly TextTaskOptions _options;
    private readonly SpanMasking _masking = new();
    private readonly Func<int, bool> _isWordStart;
    private readonly BatchPlan _plan;
    private readonly TrainingRecipe _recipe;
    private readonly JsonElement _config;

    public TextDenoisingTask(MBartForConditionalGeneration model, ISltTokenizer tokenizer, IReadOnlyList<string> trainSentences,
        IReadOnlyList<string> validationSentences, TextTaskOptions options, Device device, TrainingRecipe recipe, JsonElement config)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        _config = config;
        if (tokenizer.MaskId >= model.Config.VocabSize)
            throw new TrainingConfigurationException($"the tokenizer's <mask> id {tokenizer.MaskId} is outside the model's {model.Config.VocabSize} ids; use the tokenizer of the mBART weights");
        _train = Encode(trainSentences);
        _validation = Encode(validationSentences);
        _isWordStart = WordStartRule(tokenizer);
        _plan = new BatchPlan(_train.Select(ids => ids.Count).ToArray(), options.BatchSize, options.Seed);
    }

    public TrainingPhase Phase => TrainingPhase.Text;

    public nn.Module Model => _model;

    public MBartForConditionalGeneration MBart => _model;

    public Device Device { get; }

    public MetricGoal Goal { get; } = new(MetricNames.ValLoss, HigherIsBetter: false);

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

    public ValidationResult Validate(IProcessGroup group, CancellationToken cancellationToken)
    {
        var mine = Enumerable.Range(0, _validation.Count).Where(i => i % group.WorldSize == group.Rank).ToArray();
        var lengths = _validation.Select(ids => ids.Count).ToArray();
        double loss = 0, samples = 0;
        foreach (int[] batch in new Core.Data.LengthBucketBatchSampler(lengths, _options.BatchSize, shuffle: false).Batches(0, mine))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            loss += BatchLoss(_validation, batch, index => DeterministicSeed.Mix(_options.Seed, -1, index)).item<float>() * batch.Length;
            samples += batch.Length;
        }
        double Sum(double value) => group.WorldSize > 1 ? group.AllReduceScalar(value, cancellationToken: cancellationToken) : value;
        return new ValidationResult(new Dictionary<string, double> { [MetricNames.ValLoss] = Sum(loss) / Sum(samples) }, []);
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

    private Tensor BatchLoss(IReadOnlyList<IReadOnlyList<int>> sentences, int[] batch, Func<int, int> seedOf)
    {
        var inputs = new List<IReadOnlyList<int>>(batch.Length);
        var targets = new List<IReadOnlyList<int>>(batch.Length);
        foreach (int index in batch)
        {
            var (input, target) = Noise(sentences[index], new Random(seedOf(index)));
            inputs.Add(input);
            targets.Add(target);
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

    private List<IReadOnlyList<int>> Encode(IReadOnlyList<string> sentences)
        => sentences.Select(s => _tokenizer.Encode(s, maxLength: _options.MaxLength)).Where(ids => ids.Count > 2).ToList();

    /// Corpus vocabularies hold whole words; SentencePiece pieces starting with '▁' begin a word.
    public static Func<int, bool> WordStartRule(ISltTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer is CorpusTokenizer)
            return _ => true;
        return id => tokenizer.IdToToken(id).StartsWith('\u2581');
    }
}
