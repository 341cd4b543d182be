using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Amp;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Evaluation;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Phases;

/// One training phase assembled from a <see cref="RunSpec"/> (validated with its one validation): the tokenizer (the mBART's, the init
/// checkpoint's, or a corpus vocabulary built from the training translations), the model of the phase (from
/// scratch, from pretrained mBART weights or from an earlier phase's checkpoint), the data and the trainer settings.
/// Dispose to free the model.
public sealed class TrainingSession : IDisposable
{
    /// The GFSLT-VLP recipe's decoder rate for a pretrained mBART.
    public const double DefaultPretrainedDecoderLearningRate = 5e-6;

    private TrainingSession(ITrainingTask task, TrainerOptions trainerOptions, DeviceSelection device, ISltTokenizer tokenizer, TrainingRecipe recipe)
    {
        Task = task;
        TrainerOptions = trainerOptions;
        Device = device;
        Tokenizer = tokenizer;
        Recipe = recipe;
    }

    public ITrainingTask Task { get; }
    public TrainerOptions TrainerOptions { get; }
    public DeviceSelection Device { get; }
    public ISltTokenizer Tokenizer { get; }
    public TrainingRecipe Recipe { get; }

    /// Builds the run. <see cref="TrainingConfigurationException"/>, <see cref="PhoenixDataException"/> or
    /// <see cref="CheckpointFormatException"/> say what is wrong with the options, the data or a checkpoint.
    /// <paramref name="resume"/> continues the run in out from its last/ checkpoint (exact resume: same settings required).
    public static TrainingSession Create(RunSpec spec, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = spec.Validate(SpecContext.CommandLine);
        if (!problems.IsValid)
            throw new TrainingConfigurationException(string.Join(" ", problems.Messages));
        if (spec.Phase == TrainingPhaseNames.Pipeline)
            throw new TrainingConfigurationException("a training session is one phase; plan the pipeline's stages with PipelinePlan.Stages");
        var device = DeviceSelection.Parse(spec.Device);
        ThreadBudget.Apply(spec.Threads);
        return new Builder(spec, TrainingPhaseNames.Parse(spec.Phase), resume, device).Build();
    }

    /// Trains with the shared loop; see <see cref="Trainer.Run"/>.
    public TrainingResult Run(IProcessGroup? group = null, IProgressSink? sink = null, CancellationToken cancellationToken = default)
        => new Trainer(Task, TrainerOptions, group ?? new SingleProcessGroup(Device.ToDevice()), sink).Run(cancellationToken);

    public void Dispose() => Task.Dispose();

    /// True when <paramref name="outDir"/> already holds the best/ or last/ checkpoint of a run.
    public static bool HoldsRun(string outDir)
        => CheckpointFolder.IsCheckpoint(Path.Combine(outDir, TrainerOptions.BestFolder))
           || CheckpointFolder.IsCheckpoint(Path.Combine(outDir, TrainerOptions.LastFolder));

    private sealed class Builder(RunSpec options, TrainingPhase phase, bool resume, DeviceSelection device)
    {
        private readonly Device _device = device.ToDevice();
        private readonly string _preset = ModelPresets.Normalize(options.Preset);
        private CheckpointMetadata? _init;
        private string? _mbartSource;

        public TrainingSession Build()
        {
            CheckOptions();
            if (options.Init is not null)
                _init = CheckpointMetadata.Load(options.Init);
            _mbartSource = MBartSource();

            var train = PhoenixFeatureDataset.Open(DataDir, options.TrainSplit);
            var validation = PhoenixFeatureDataset.Open(DataDir, options.ValidationSplit);
            var tokenizer = ChooseTokenizer(train);
            manual_seed(options.Seed);
            return phase switch
            {
                TrainingPhase.Text => BuildText(train, validation, tokenizer),
                TrainingPhase.Vlp => BuildVlp(train, validation, tokenizer),
                _ => BuildSlt(train, validation, tokenizer),
            };
        }

        /// The state of the folders (the values were validated by the spec): out must not hold a run unless resuming.
        private void CheckOptions()
        {
            if (resume)
                CheckResumable();
            else if (HoldsRun(OutDir))
                throw new TrainingConfigurationException($"--out {OutDir} already holds the checkpoints of a run (best/ or last/); use a new folder, delete them, or continue it with --resume");
        }

        private string OutDir => options.Out!;

        private string DataDir => options.Data!;

        /// --resume needs OUT/last with a trainer state, written by the same phase.
        private void CheckResumable()
        {
            string last = Path.Combine(OutDir, TrainerOptions.LastFolder);
            if (!TrainerCheckpoint.Exists(last))
                throw new TrainingConfigurationException(
                    $"--resume: {last} holds no {CheckpointFolder.TrainerStateFileName}; there is no run to continue in --out {OutDir} (a run writes last/ at each validation and every --save-every steps). Start a new run without --resume");
            var saved = CheckpointMetadata.Load(last);
            if (saved.Phase != phase.ToCheckpointPhase())
                throw new TrainingConfigurationException(
                    $"--resume: {last} was written by the {PhaseName(saved.Phase)} phase, not {phase.ToName()}; resume with `train {PhaseName(saved.Phase)}` or use a new --out");
        }

        /// The folder the mBART weights come from: --mbart, or an --init that is a text/mbart checkpoint.
        private string? MBartSource()
        {
            bool initIsText = _init is { Phase: CheckpointPhase.Text or CheckpointPhase.MBart };
            if (options.Mbart is not null && initIsText)
                throw new TrainingConfigurationException($"--init {options.Init} is a {PhaseName(_init!.Phase)} checkpoint and --mbart {options.Mbart} is given too; pass the mBART once");
            if (_init is not null)
            {
                var allowed = phase switch
                {
                    TrainingPhase.Text => [CheckpointPhase.Text, CheckpointPhase.MBart],
                    TrainingPhase.Vlp => [CheckpointPhase.Text, CheckpointPhase.MBart, CheckpointPhase.Vlp],
                    _ => new[] { CheckpointPhase.Vlp, CheckpointPhase.Slt },
                };
                if (!allowed.Contains(_init.Phase))
                    throw new TrainingConfigurationException(
                        $"--init {options.Init} is a {PhaseName(_init.Phase)} checkpoint; the {phase.ToName()} phase starts from {string.Join(" or ", allowed.Select(PhaseName))} checkpoints" +
                        (phase == TrainingPhase.Slt ? " (give a text checkpoint as --mbart)" : ""));
                if (options.Mbart is not null && _init.Phase == phase.ToCheckpointPhase())
                    throw new TrainingConfigurationException($"--init {options.Init} continues a {PhaseName(_init.Phase)} run, which already holds its mBART; leave out --mbart");
            }
            return options.Mbart ?? (initIsText ? options.Init : null);
        }

        private ISltTokenizer ChooseTokenizer(PhoenixFeatureDataset train)
        {
            if (_mbartSource is not null)
                return CheckpointTokenizer.Load(_mbartSource);
            if (options.Init is not null)
                return CheckpointTokenizer.Load(options.Init);
            // A gloss2text text phase reads the glosses too: the vocabulary holds both (lowercased like the sentences).
            var text = phase == TrainingPhase.Text && TextObjective(train) == TextObjectives.GlossToText
                ? train.Samples.SelectMany(s => new[] { s.Translation, s.Orth })
                : train.Samples.Select(s => s.Translation);
            return CorpusTokenizer.Build(text);
        }

        /// True when every training clip has glosses (the orth column), which turns gloss supervision on by default.
        private static bool HasGlosses(PhoenixFeatureDataset train)
            => train.Samples.Count > 0 && train.Samples.All(s => !string.IsNullOrWhiteSpace(s.Orth));

        /// gloss_ctc_weight, by default <see cref="RunSpec.DefaultGlossCtcWeight"/> when the training clips have glosses.
        private double GlossCtcWeight(PhoenixFeatureDataset train)
            => options.GlossCtcWeight ?? (HasGlosses(train) ? RunSpec.DefaultGlossCtcWeight : 0);

        /// The text phase's objective (text_task), gloss2text by default when the training clips have glosses.
        private string TextObjective(PhoenixFeatureDataset train)
        {
            string objective = TextObjectives.Resolve(options.TextTask, HasGlosses(train));
            if (objective == TextObjectives.GlossToText && !train.Samples.Any(s => !string.IsNullOrWhiteSpace(s.Orth)))
                throw new TrainingConfigurationException(
                    $"text_task gloss2text needs the glosses of the training clips, but the orth column of {DataDir}'s train split is empty; use a corpus with glosses or text_task denoise");
            return objective;
        }

        private TrainingSession BuildText(PhoenixFeatureDataset train, PhoenixFeatureDataset validation, ISltTokenizer tokenizer)
        {
            MBartForConditionalGeneration model;
            if (_mbartSource is not null)
            {
                model = MBartPretrained.Load(_mbartSource).Model;
                model.train();
            }
            else
            {
                model = new MBartForConditionalGeneration(WithDropout(ModelPresets.ScratchMBart(_preset, tokenizer.VocabSize)));
            }
            return Guard(model, () =>
            {
                CheckVocabulary(tokenizer, model.Config, _mbartSource);
                MoveToDevice(model);
                string objective = TextObjective(train);
                var recipe = Recipe(model.Config.MaxPositionEmbeddings, null, null) with { TextTask = objective };
                var taskOptions = new TextTaskOptions(options.BatchSize, model.Config.MaxPositionEmbeddings, options.LabelSmoothing ?? 0.1, options.Seed,
                    objective, options.Beams, MaxNewTokens(train, tokenizer, model.MaxDecoderPositions));
                var config = Describe(recipe, model.Config, tokenizer);
                var task = new TextPretrainingTask(model, tokenizer, Examples(train, objective), Examples(validation, objective), taskOptions, _device, recipe, config);
                return Session(task, tokenizer, recipe);
            });
        }

        private TrainingSession BuildVlp(PhoenixFeatureDataset train, PhoenixFeatureDataset validation, ISltTokenizer tokenizer)
        {
            VisualLanguagePretrainer model;
            GlossVocabulary? glosses;
            if (_init is { Phase: CheckpointPhase.Vlp })
            {
                model = new VisualLanguagePretrainer(_init.ReadModelConfig<VlpConfig>());
                glosses = model.Config.GlossVocabSize > 0 ? GlossVocabulary.Load(options.Init!) : null;
                Guard(model, () => ModelWeights.Load(model, options.Init!));
            }
            else
            {
                var scratch = ModelPresets.ScratchMBart(_preset, tokenizer.VocabSize);
                var config = ModelPresets.Vlp(_preset, scratch);
                glosses = GlossSupervision(train);
                config = config with
                {
                    FusionEncoder = WithDropout(config.FusionEncoder),
                    ProjectionDropout = options.Dropout ?? config.ProjectionDropout,
                    GlossVocabSize = glosses?.Size ?? 0,
                    GlossCtcWeight = GlossCtcWeight(train),
                };
                model = _mbartSource is null ? new VisualLanguagePretrainer(config) : VisualLanguagePretrainer.FromPretrainedMBart(config, _mbartSource);
            }
            return Guard(model, () =>
            {
                var text = model.Config.TextEncoder;
                CheckVocabulary(tokenizer, text, _mbartSource ?? options.Init);
                MoveToDevice(model);
                int maxFrames = MaxFrames(text.MaxPositionEmbeddings, "the text encoder's");
                // the text encoder embeds what it was trained to read: glosses after a gloss2text text phase
                string? textSource = _mbartSource ?? options.Init;
                string? textTask = textSource is null ? null : TrainingRecipe.Load(textSource)?.TextTask;
                var recipe = Recipe(maxFrames, null, null) with { TextTask = textTask };
                var taskOptions = new VlpTaskOptions(options.BatchSize, maxFrames, text.MaxPositionEmbeddings, options.Seed, options.LoaderWorkers,
                    options.Augmentation(), TextFromGlosses: textTask == TextObjectives.GlossToText);
                var config = Describe(recipe, model.Config, tokenizer);
                var task = new VlpTask(model, tokenizer, train, validation, taskOptions, _device, recipe, config, glosses);
                return Session(task, tokenizer, recipe);
            });
        }

        private TrainingSession BuildSlt(PhoenixFeatureDataset train, PhoenixFeatureDataset validation, ISltTokenizer tokenizer)
        {
            SignTranslationModel model;
            GlossVocabulary? glosses;
            bool pretrained = _mbartSource is not null;
            if (_init is { Phase: CheckpointPhase.Slt })
            {
                glosses = GlossVocabulary.Load(options.Init!);
                model = new SignTranslationModel(_init.ReadModelConfig<SltModelConfig>());
                Guard(model, () => ModelWeights.Load(model, options.Init!));
                pretrained = true;
            }
            else
            {
                var fusion = _init is { Phase: CheckpointPhase.Vlp }
                    ? _init.ReadModelConfig<VlpConfig>().FusionEncoder
                    : WithDropout(ModelPresets.FusionEncoder(_preset));
                var mbart = pretrained
                    ? MBartConfig.FromFile(Path.Combine(_mbartSource!, MBartPretrained.ConfigFileName))
                    : WithDropout(ModelPresets.ScratchMBart(_preset, tokenizer.VocabSize));
                // the mBART encoder stays frozen for pretrained mBART weights (the recipe); one of our own text phases keeps training
                bool freezeTextEncoder = pretrained && MBartPretrainedWeights.AreFromPretrainedMBart(_mbartSource!);
                var config = ModelPresets.Slt(_preset, mbart, freezeTextEncoder) with { FusionEncoder = fusion };
                glosses = _init is { Phase: CheckpointPhase.Vlp } && GlossCtcWeight(train) > 0 && File.Exists(Path.Combine(options.Init!, GlossVocabulary.FileName))
                    ? GlossVocabulary.Load(options.Init!)
                    : GlossSupervision(train);
                config = config with
                {
                    LabelSmoothing = options.LabelSmoothing ?? config.LabelSmoothing,
                    AdapterDropout = options.Dropout ?? config.AdapterDropout,
                    GlossVocabSize = glosses?.Size ?? 0,
                    GlossCtcWeight = GlossCtcWeight(train),
                };
                model = pretrained ? SignTranslationModel.FromPretrainedMBart(config, _mbartSource!) : new SignTranslationModel(config);
                if (_init is { Phase: CheckpointPhase.Vlp })
                    Guard(model, () => InitializeFromVlp(model, options.Init!));
            }
            return Guard(model, () =>
            {
                var mbart = model.Config.MBart;
                CheckVocabulary(tokenizer, mbart, _mbartSource ?? options.Init);
                MoveToDevice(model);
                int maxFrames = MaxFrames(mbart.MaxPositionEmbeddings, "the mBART encoder's");
                int maxNewTokens = MaxNewTokens(train, tokenizer, model.MaxDecoderPositions);
                var recipe = Recipe(maxFrames, maxNewTokens, options.Beams);
                var evaluation = new SltEvaluationOptions(options.Beams, options.EvalBatchSize ?? options.BatchSize, maxNewTokens, options.SamplesToShow);
                var taskOptions = new SltTaskOptions(options.BatchSize, maxFrames, evaluation, options.Seed, options.LoaderWorkers, options.Augmentation());
                var config = Describe(recipe, model.Config, tokenizer);
                var task = new SltTask(model, tokenizer, train, validation, taskOptions, _device, recipe, config, glosses);
                return Session(task, tokenizer, recipe);
            });
        }

        /// The gloss vocabulary of the training split when gloss_ctc_weight asks for gloss supervision, else null.
        private GlossVocabulary? GlossSupervision(PhoenixFeatureDataset train)
        {
            if (GlossCtcWeight(train) <= 0)
                return null;
            var glosses = GlossVocabulary.Build(train.Samples.Select(s => s.Orth));
            if (glosses.Size <= 2)
                throw new TrainingConfigurationException(
                    $"gloss_ctc_weight {options.GlossCtcWeight} needs the glosses of the training clips, but the orth column of {DataDir}'s train split is empty; use a corpus with glosses or leave gloss_ctc_weight at 0");
            return glosses;
        }

        private static void InitializeFromVlp(SignTranslationModel model, string folder)
        {
            var weights = SafetensorsFile.Load(Path.Combine(folder, CheckpointFolder.WeightsFileName));
            try
            {
                var report = model.InitializeFromVlp(weights);
                if (report.Missing.Count > 0)
                    throw new CheckpointFormatException(folder, $"the VLP weights do not cover the fusion encoder: {report.Summary}");
            }
            finally
            {
                foreach (var tensor in weights.Values)
                    tensor.Dispose();
            }
        }

        private TrainingSession Session(ITrainingTask task, ISltTokenizer tokenizer, TrainingRecipe recipe)
        {
            var learningRates = new Dictionary<string, double>(recipe.LearningRates, StringComparer.Ordinal);
            var trainerOptions = new TrainerOptions
            {
                Epochs = options.EffectiveEpochs,
                MaxSteps = options.MaxSteps,
                Accumulate = options.Accumulate,
                LearningRates = learningRates,
                DefaultLearningRate = learningRates[SignTranslationModel.EncoderGroup],
                WeightDecay = options.WeightDecay,
                MaxGradNorm = options.MaxGradNorm,
                WarmupSteps = options.WarmupSteps,
                MinLearningRateRatio = options.MinLrRatio,
                Seed = options.Seed,
                LogEvery = options.LogEvery,
                EvalEverySteps = options.EvalEvery,
                Patience = options.EffectivePatience,
                Amp = AmpModes.Parse(options.Amp),
                CheckpointDir = OutDir,
                SaveEverySteps = options.SaveEvery,
                ResumeFrom = resume ? Path.Combine(OutDir, TrainerOptions.LastFolder) : null,
                ParentCheckpoint = options.Init is null ? null : Path.GetFullPath(options.Init),
            };
            try
            {
                trainerOptions.Validate();
            }
            catch
            {
                task.Dispose();
                throw;
            }
            return new TrainingSession(task, trainerOptions, device, tokenizer, recipe);
        }

        private Dictionary<string, double> LearningRates()
        {
            double encoder = options.LrEncoder ?? ModelPresets.EncoderLearningRate(_preset);
            double decoder = options.LrDecoder ?? DefaultDecoderLearningRate(encoder);
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [SignTranslationModel.EncoderGroup] = encoder,
                [SignTranslationModel.TextEncoderGroup] = decoder,
                [SignTranslationModel.DecoderGroup] = decoder,
            };
        }

        /// The decoder's rate when none is given, by where the decoder comes from: the recipe's 5e-6 for pretrained
        /// mBART weights (a Hugging Face folder, an imported mbart checkpoint, or a text-phase checkpoint trained from
        /// them), the rate an slt checkpoint was trained with when continuing it, else the encoder's rate (a decoder
        /// trained from scratch, or by our own text phase, must keep learning).
        private double DefaultDecoderLearningRate(double encoder)
        {
            if (_init is { Phase: CheckpointPhase.Slt } && TrainingRecipe.Load(options.Init!) is { } previous
                && previous.LearningRates.TryGetValue(SignTranslationModel.DecoderGroup, out double continued))
                return continued;
            return _mbartSource is not null && MBartPretrainedWeights.AreFromPretrainedMBart(_mbartSource)
                ? DefaultPretrainedDecoderLearningRate
                : encoder;
        }

        private TrainingRecipe Recipe(int maxFrames, int? maxNewTokens, int? beams) => new()
        {
            Phase = phase.ToName(),
            Preset = _preset,
            MaxFrames = maxFrames,
            MaxNewTokens = maxNewTokens,
            NumBeams = beams,
            Seed = options.Seed,
            BatchSize = options.BatchSize,
            Accumulate = options.Accumulate,
            LearningRates = LearningRates(),
            Data = Path.GetFullPath(DataDir),
            Init = options.Init is null ? null : Path.GetFullPath(options.Init),
            MBart = _mbartSource is null ? null : Path.GetFullPath(_mbartSource),
        };

        private JsonElement Describe<TConfig>(TrainingRecipe recipe, TConfig modelConfig, ISltTokenizer tokenizer)
            => JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["recipe"] = recipe,
                ["model"] = modelConfig,
                ["tokenizer"] = new Dictionary<string, object> { ["kind"] = tokenizer.Kind, ["vocab_size"] = tokenizer.VocabSize },
                ["trainer"] = new Dictionary<string, object?>
                {
                    ["epochs"] = options.EffectiveEpochs,
                    ["max_steps"] = options.MaxSteps,
                    ["batch_size"] = options.BatchSize,
                    ["accumulate"] = options.Accumulate,
                    ["weight_decay"] = options.WeightDecay,
                    ["max_grad_norm"] = options.MaxGradNorm,
                    ["warmup_steps"] = options.WarmupSteps,
                    ["patience"] = options.EffectivePatience,
                    ["eval_every_steps"] = options.EvalEvery,
                    ["seed"] = options.Seed,
                    ["amp"] = options.Amp,
                    ["train_split"] = options.TrainSplit,
                    ["validation_split"] = options.ValidationSplit,
                    ["threads"] = get_num_threads(),
                },
                ["augmentation"] = options.DescribeAugmentation(phase),
            });

        private int MaxFrames(int limit, string whose)
        {
            int frames = options.MaxFrames ?? limit;
            if (frames > limit)
                throw new TrainingConfigurationException($"--max-frames {frames} exceeds {whose} {limit} positions; use --max-frames {limit} or less");
            return frames;
        }

        /// The longest training target plus a margin of 10 tokens, within the decoder's positions.
        private static int MaxNewTokens(PhoenixFeatureDataset train, ISltTokenizer tokenizer, int decoderPositions)
        {
            int longest = train.Samples.Max(s => tokenizer.Encode(s.Translation).Count);
            return Math.Clamp(longest + 10, 1, decoderPositions - 1);
        }

        private static List<TextExample> Examples(PhoenixFeatureDataset data, string objective)
            => data.Samples.Select(s => new TextExample(s.Translation, objective == TextObjectives.GlossToText ? s.Orth.ToLowerInvariant() : null)).ToList();

        private static void CheckVocabulary(ISltTokenizer tokenizer, MBartConfig mbart, string? source)
        {
            if (tokenizer.VocabSize > mbart.VocabSize)
                throw new TrainingConfigurationException(
                    $"the tokenizer{(source is null ? "" : $" of {source}")} has {tokenizer.VocabSize} ids but the mBART only {mbart.VocabSize}; use the tokenizer saved with those weights");
        }

        private MBartConfig WithDropout(MBartConfig config)
            => options.Dropout is double d ? config with { Dropout = d, AttentionDropout = d } : config;

        private Core.Modules.Squeezeformer.SqueezeformerConfig WithDropout(Core.Modules.Squeezeformer.SqueezeformerConfig config)
            => options.Dropout is double d ? config with { Dropout = d, AttentionDropout = d } : config;

        private void MoveToDevice(nn.Module module)
        {
            if (_device.type != DeviceType.CPU)
                module.to(_device);
        }

        private static string PhaseName(CheckpointPhase phase) => phase.ToString().ToLowerInvariant();

        private static T Guard<T>(nn.Module model, Func<T> build)
        {
            try
            {
                return build();
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        private static void Guard(nn.Module model, Action action) => Guard<bool>(model, () =>
        {
            action();
            return true;
        });
    }
}
