using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Phase 2, sign language translation (GFSLT-VLP, Zhou et al., ICCV 2023, §3.3): the fusion encoder's frames go
/// through a <see cref="VisualAdapter"/> into the mBART encoder as inputs_embeds (never scaled, with the frame mask),
/// the mBART decoder reads "lang text &lt;/s&gt;" (shift_tokens_right of the labels "text &lt;/s&gt; lang") and the
/// loss is label-smoothed cross-entropy over the non-pad label positions.
/// <para>Freeze flags (<see cref="SltModelConfig"/>): a frozen component's parameters never require gradients and it
/// stays in eval mode when the model trains (no dropout, batch-norm statistics kept). Gradients still flow through a
/// frozen mBART encoder into the adapter and the fusion encoder. The shared token embedding (and the tied LM head)
/// belongs to the decoder: the encoder reads visual embeddings, never token ids.</para>
/// <para>Decoding: this class is an <see cref="IIncrementalDecoderModel"/> whose source "embeddings" are the adapter
/// outputs — <see cref="PrepareGeneration"/> runs fusion encoder + adapter and wraps the result in
/// <see cref="GenerationInputs.FromEmbeds"/>, then <see cref="SequenceGenerator"/> calls <see cref="Encode"/> (the
/// mBART encoder) and <see cref="DecodeStep"/> (the mBART decoder with its cache). <see cref="Generate"/> does both.</para>
/// State-dict names: fusion_encoder.*, adapter.*, mbart.* (Hugging Face names under "mbart.").
/// Construct outside dispose scopes (the weights are detached from them anyway).
public sealed class SignTranslationModel : nn.Module<SltInputs, SltOutput>, IIncrementalDecoderModel
{
    /// Group of the fusion encoder and the adapter.
    public const string EncoderGroup = "encoder";

    /// Group of the mBART encoder (only when it is not frozen).
    public const string TextEncoderGroup = "text_encoder";

    /// Group of the mBART decoder, the shared token embedding / LM head.
    public const string DecoderGroup = "decoder";

    /// Prefix of the fusion encoder in this model's and the VLP model's state dicts.
    public const string FusionEncoderPrefix = "fusion_encoder.";

    private const string AdapterPrefix = "adapter.";
    private const string GlossHeadPrefix = "gloss_head.";
    private const string MBartEncoderPrefix = "mbart.model.encoder.";
    private const string SharedEmbeddingAlias = "embed_tokens.weight";

    private readonly SqueezeformerFusionEncoder fusion_encoder;
    private readonly VisualAdapter adapter;
    private readonly MBartForConditionalGeneration mbart;
    private readonly GlossCtcHead? gloss_head;

    /// A model with random weights, or around <paramref name="pretrainedMBart"/> (which it then owns; its config
    /// replaces <see cref="SltModelConfig.MBart"/>).
    public SignTranslationModel(SltModelConfig config, MBartForConditionalGeneration? pretrainedMBart = null)
        : base(nameof(SignTranslationModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (pretrainedMBart is not null)
            config = config with { MBart = pretrainedMBart.Config };
        Config = config.Validate();
        fusion_encoder = new SqueezeformerFusionEncoder(config.FusionEncoder);
        adapter = new VisualAdapter(config.FusionEncoder.DModel, config.MBart.DModel, config.AdapterDropout);
        mbart = pretrainedMBart ?? new MBartForConditionalGeneration(config.MBart);
        gloss_head = config.GlossVocabSize > 0 ? new GlossCtcHead(config.FusionEncoder.DModel, config.GlossVocabSize) : null;
        RegisterComponents();
        ApplyFreezeFlags();
        train();
        MBartLayers.DetachFromDisposeScopes(this);
    }

    public SltModelConfig Config { get; }

    public SqueezeformerFusionEncoder FusionEncoder => fusion_encoder;

    public VisualAdapter Adapter => adapter;

    public MBartForConditionalGeneration MBart => mbart;

    /// The gloss CTC head on the fusion encoder, or null (<see cref="SltModelConfig.GlossVocabSize"/> 0).
    public GlossCtcHead? GlossHead => gloss_head;

    /// Builds the model around the Hugging Face mBART folder <paramref name="mbartFolder"/>.
    public static SignTranslationModel FromPretrainedMBart(SltModelConfig config, string mbartFolder)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (pretrained, _) = MBartPretrained.Load(mbartFolder);
        try
        {
            return new SignTranslationModel(config, pretrained);
        }
        catch
        {
            pretrained.Dispose();
            throw;
        }
    }

    /// Training mode for every component that is not frozen; frozen ones stay in eval mode.
    public override void train(bool on = true)
    {
        base.train(on);
        if (Config.FreezeFusionEncoder)
            fusion_encoder.eval();
        if (Config.FreezeTextEncoder)
            mbart.Model.Encoder.eval();
        if (Config.FreezeDecoder)
            mbart.Model.Decoder.eval();
    }

    /// Trainable parameters by optimizer group: <see cref="EncoderGroup"/> (fusion encoder + adapter),
    /// <see cref="TextEncoderGroup"/> (mBART encoder) and <see cref="DecoderGroup"/> (mBART decoder and shared
    /// embedding / LM head). Frozen parameters are left out and empty groups omitted; each parameter appears once.
    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var groups = new Dictionary<string, (List<string> Names, List<Parameter> Parameters)>
        {
            [EncoderGroup] = ([], []),
            [TextEncoderGroup] = ([], []),
            [DecoderGroup] = ([], []),
        };
        foreach (var (name, parameter) in named_parameters())
        {
            if (!parameter.requires_grad)
                continue;
            string group = GroupOf(name);
            groups[group].Names.Add(name);
            groups[group].Parameters.Add(parameter);
        }
        return groups
            .Where(g => g.Value.Parameters.Count > 0)
            .Select(g => new ParameterGroup(g.Key, g.Value.Names, g.Value.Parameters))
            .ToList();
    }

    /// Copies the fusion encoder of a phase-1 model into this one.
    public WeightTransferReport InitializeFromVlp(VisualLanguagePretrainer vlp)
    {
        ArgumentNullException.ThrowIfNull(vlp);
        return InitializeFromVlp(vlp.state_dict());
    }

    /// Copies every fusion_encoder.* tensor (parameters and batch-norm statistics) of a VLP state dict (e.g. a VLP
    /// checkpoint's model.safetensors) into the fusion encoder, by name, and the VLP's gloss_head.* into this model's
    /// gloss head when both have one of the same size (the same gloss vocabulary). <see cref="ArgumentException"/>
    /// when no fusion_encoder.* tensor is present or a shape differs (the two fusion encoder configs must agree).
    /// The report covers the fusion encoder.
    public WeightTransferReport InitializeFromVlp(IReadOnlyDictionary<string, Tensor> vlpStateDict)
    {
        ArgumentNullException.ThrowIfNull(vlpStateDict);
        if (!vlpStateDict.Keys.Any(k => k.StartsWith(FusionEncoderPrefix, StringComparison.Ordinal)))
            throw new ArgumentException($"the state dict has no '{FusionEncoderPrefix}*' tensors; pass the weights of a VLP (phase 1) checkpoint", nameof(vlpStateDict));
        var report = WeightTransfer.CopyByName(fusion_encoder, vlpStateDict, FusionEncoderPrefix);
        if (gloss_head is not null && vlpStateDict.TryGetValue(GlossHeadPrefix + "classifier.weight", out var vlpHead)
            && vlpHead.shape[0] == gloss_head.Classes)
            WeightTransfer.CopyByName(gloss_head, vlpStateDict, GlossHeadPrefix);
        return report;
    }

    /// mBART encoder inputs from the visual streams: fusion encoder → adapter. Returns the embeddings
    /// (B, T, d_model) and the frame mask (B, T) int64 (1 = real).
    public (Tensor Embeds, Tensor Mask) EncodeVisual(VisualInputs visual)
    {
        using var scope = NewDisposeScope();
        var (fused, embeds, mask) = EncodeVisualWithStates(visual);
        fused.Dispose();
        return (embeds.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <see cref="EncodeVisual"/> that also returns the fusion encoder's output (the gloss head reads it).
    private (FusionEncoderOutput Fused, Tensor Embeds, Tensor Mask) EncodeVisualWithStates(VisualInputs visual)
    {
        ArgumentNullException.ThrowIfNull(visual);
        long frames = visual.Keypoints.shape[1];
        if (frames > Config.MBart.MaxPositionEmbeddings)
            throw new ArgumentException($"{frames} keypoint frames exceed the {Config.MBart.MaxPositionEmbeddings} positions of the mBART encoder; cap the frames (MAX_FRAMES) at {Config.MBart.MaxPositionEmbeddings} or fewer", nameof(visual));
        FusionEncoderOutput fused = fusion_encoder.forward(visual.Keypoints, visual.KeypointMask, visual.Siglip, visual.SiglipMask); // (B, T, D)
        Tensor embeds = adapter.forward(fused.Hidden, fused.Mask);                                   // (B, T, D) -> (B, T, d_model)
        Tensor mask = fused.Mask.to(ScalarType.Int64);                                               // (B, T)
        return (fused, embeds, mask);
    }

    /// Label-smoothed cross-entropy of the labels, plus <see cref="SltModelConfig.GlossCtcWeight"/> × the gloss CTC
    /// loss when the model has a gloss head and the inputs carry gloss targets.
    public override SltOutput forward(SltInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Labels is null && inputs.DecoderInputIds is null)
            throw new ArgumentException("give labels (training) or decoder input ids; for translation use Generate", nameof(inputs));
        CheckTokens(inputs.Labels, inputs.Visual.BatchSize, "labels");
        CheckTokens(inputs.DecoderInputIds, inputs.Visual.BatchSize, "decoder input ids");
        using var scope = NewDisposeScope();
        var (fused, embeds, mask) = EncodeVisualWithStates(inputs.Visual);                           // (B, T, D), (B, T, d), (B, T)
        Tensor decoderInputIds = inputs.DecoderInputIds
            ?? MBartLoss.ShiftTokensRight(inputs.Labels!, Config.MBart.PadTokenId);                // (B, L)
        var output = mbart.call(new MBartInputs { InputsEmbeds = embeds, AttentionMask = mask, DecoderInputIds = decoderInputIds });
        Tensor logits = output.Logits;                                                               // (B, L, V)
        Tensor? loss = inputs.Labels is null
            ? null
            : MBartLoss.LabelSmoothedCrossEntropy(logits, inputs.Labels, Config.MBart.PadTokenId, Config.LabelSmoothing);
        Tensor? glossLoss = null;
        if (gloss_head is not null && inputs.GlossTargets is not null && inputs.GlossLengths is not null)
        {
            var (logProbs, frames) = gloss_head.Predict(fused);                                      // (B, T, C), (B)
            glossLoss = GlossCtcHead.Loss(logProbs, frames, inputs.GlossTargets, inputs.GlossLengths);
            loss = loss is null ? glossLoss * Config.GlossCtcWeight : loss + glossLoss * Config.GlossCtcWeight;
        }
        return new SltOutput(
            logits.MoveToOuterDisposeScope(),
            loss?.MoveToOuterDisposeScope(),
            output.Encoder.LastHiddenState.MoveToOuterDisposeScope(),
            mask.MoveToOuterDisposeScope(),
            glossLoss?.MoveToOuterDisposeScope());
    }

    /// The glosses the gloss head recognises in each clip (class ids, greedy CTC), or null without a head.
    /// Computed without gradients.
    public int[][]? RecognizeGlosses(VisualInputs visual)
    {
        ArgumentNullException.ThrowIfNull(visual);
        if (gloss_head is null)
            return null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using FusionEncoderOutput fused = fusion_encoder.forward(visual.Keypoints, visual.KeypointMask, visual.Siglip, visual.SiglipMask); // (B, T, D)
        var (logProbs, frames) = gloss_head.Predict(fused);                                          // (B, T, C), (B)
        return GlossCtcHead.GreedyDecode(logProbs, frames);
    }

    /// Generator inputs for the clips: the adapter outputs as inputs_embeds with the frame mask, computed without
    /// gradients. The tensors belong to the caller's dispose scope.
    public GenerationInputs PrepareGeneration(VisualInputs visual)
    {
        using var noGrad = no_grad();
        var (embeds, mask) = EncodeVisual(visual);
        return GenerationInputs.FromEmbeds(embeds, mask);
    }

    /// Translates the clips with <see cref="SequenceGenerator"/> (greedy or beam search as <paramref name="config"/>
    /// says; mbart-large-cc25 needs decoder_start_token_id = the target language code). Runs in eval mode and
    /// restores the previous mode afterwards.
    public GenerationOutput Generate(VisualInputs visual, GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(visual);
        ArgumentNullException.ThrowIfNull(config);
        bool wasTraining = training;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            var output = new SequenceGenerator(this).Generate(PrepareGeneration(visual), config);
            output.Scores?.MoveToOuterDisposeScope();
            return output;
        }
        finally
        {
            if (wasTraining)
                train();
        }
    }

    // IIncrementalDecoderModel: the mBART decoder; the source embeddings are the adapter outputs.
    public int VocabSize => mbart.VocabSize;

    public int PadTokenId => mbart.PadTokenId;

    public int EosTokenId => mbart.EosTokenId;

    public int BosTokenId => mbart.BosTokenId;

    public int? DecoderStartTokenId => mbart.DecoderStartTokenId;

    public int? ForcedEosTokenId => mbart.ForcedEosTokenId;

    public int MaxDecoderPositions => mbart.MaxDecoderPositions;

    public Device Device => mbart.Device;

    /// The mBART encoder over <paramref name="inputsEmbeds"/> (B, T, d_model) — the adapter outputs of
    /// <see cref="EncodeVisual"/> — or, for text-to-text use, token ids.
    public Tensor Encode(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask)
        => mbart.Encode(inputIds, inputsEmbeds, attentionMask);

    public IDecoderCache CreateCache() => mbart.CreateCache();

    public Tensor DecodeStep(Tensor decoderInputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, IDecoderCache cache)
        => mbart.DecodeStep(decoderInputIds, encoderHiddenStates, encoderAttentionMask, cache);

    /// The optimizer group of a parameter by its state-dict name. named_parameters lists the shared embedding once,
    /// as mbart.model.shared.weight; its encoder/decoder aliases (embed_tokens) belong to the decoder group too.
    public static string GroupOf(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        if (parameterName.StartsWith(FusionEncoderPrefix, StringComparison.Ordinal) || parameterName.StartsWith(AdapterPrefix, StringComparison.Ordinal)
            || parameterName.StartsWith(GlossHeadPrefix, StringComparison.Ordinal))
            return EncoderGroup;
        if (parameterName.StartsWith(MBartEncoderPrefix, StringComparison.Ordinal) && parameterName != MBartEncoderPrefix + SharedEmbeddingAlias)
            return TextEncoderGroup;
        return DecoderGroup;
    }

    // Tensor handles are per wrapper in TorchSharp (the same weight read twice has two handles), so the shared
    // embedding is recognised by name: the encoder's embed_tokens is the decoder's and the LM head's weight.
    private void ApplyFreezeFlags()
    {
        WeightTransfer.SetRequiresGrad(fusion_encoder.parameters(), !Config.FreezeFusionEncoder);
        WeightTransfer.SetRequiresGrad(adapter.parameters(), true);
        WeightTransfer.SetRequiresGrad(
            mbart.Model.Encoder.named_parameters().Where(p => p.name != SharedEmbeddingAlias).Select(p => p.parameter),
            !Config.FreezeTextEncoder);
        WeightTransfer.SetRequiresGrad(mbart.Model.Decoder.parameters(), !Config.FreezeDecoder); // includes the shared embedding
    }

    private static void CheckTokens(Tensor? ids, long batch, string what)
    {
        if (ids is not null && (ids.dim() != 2 || ids.shape[0] != batch || ids.dtype != ScalarType.Int64))
            throw new ArgumentException($"{what} must be int64 (B, L) with B = {batch} clips; got {ids.dtype} ({string.Join(", ", ids.shape)})");
    }
}
