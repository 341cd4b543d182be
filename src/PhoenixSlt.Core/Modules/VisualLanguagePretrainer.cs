using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules;

/// Phase 1, visual-language pretraining (GFSLT-VLP, Zhou et al., ICCV 2023, §3.2, without its masked
/// self-supervised text decoder): sign clips and their translations are pulled together in a shared embedding space.
/// <list type="number">
/// <item>visual: fusion encoder → mean over the real frames → <see cref="ProjectionHead"/> → L2 normalisation;</item>
/// <item>text: a FROZEN mBART encoder over "text &lt;/s&gt; lang" → the hidden state at the &lt;/s&gt; token (the
/// position just before the language code; GFSLT-VLP takes argmax(input_ids), which in its trimmed vocabulary is the
/// language code — with a bidirectional encoder both summarise the whole sentence; &lt;/s&gt; does not depend on
/// which language code is appended) → <see cref="ProjectionHead"/> → L2 normalisation;</item>
/// <item>symmetric InfoNCE (<see cref="ContrastiveLoss"/>) with scale min(exp(logit_scale), max_logit_scale),
/// logit_scale learnable and initialised at log(1/0.07) as in CLIP.</item>
/// </list>
/// With <see cref="VlpConfig.GlossVocabSize"/> &gt; 0 a <see cref="GlossCtcHead"/> on the fusion encoder adds
/// <see cref="VlpConfig.GlossCtcWeight"/> × its CTC loss when the inputs carry gloss targets (gloss supervision).
/// The text encoder's parameters never require gradients and it stays in eval mode even when this module is in
/// training mode (no dropout, so a translation always embeds the same way); it runs under no_grad.
/// State-dict names: fusion_encoder.*, visual_head.*, text_encoder.* (mBART encoder names with embed_tokens),
/// text_head.*, logit_scale, gloss_head.*. <see cref="SignTranslationModel.InitializeFromVlp(VisualLanguagePretrainer)"/>
/// takes fusion_encoder.* (and gloss_head.* when both have one) from here. Construct outside dispose scopes (the weights are detached from them anyway).
public sealed class VisualLanguagePretrainer : nn.Module<VlpInputs, VlpOutput>
{
    private readonly SqueezeformerFusionEncoder fusion_encoder;
    private readonly ProjectionHead visual_head;
    private readonly MBartEncoder text_encoder;
    private readonly ProjectionHead text_head;
    private readonly Parameter logit_scale;
    private readonly GlossCtcHead? gloss_head;

    /// A model with randomly initialised weights (the text encoder too: load pretrained ones with
    /// <see cref="LoadTextEncoder"/> or build with <see cref="FromPretrainedMBart"/>).
    public VisualLanguagePretrainer(VlpConfig config) : base(nameof(VisualLanguagePretrainer))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var text = config.TextEncoder;
        fusion_encoder = new SqueezeformerFusionEncoder(config.FusionEncoder);
        visual_head = new ProjectionHead(config.FusionEncoder.DModel, config.ProjectionHiddenDim, config.EmbedDim, config.ProjectionDropout);
        text_encoder = new MBartEncoder(text, MBartLayers.Embedding(text.VocabSize, text.DModel, text.PadTokenId, text.InitStd, null, null));
        text_head = new ProjectionHead(text.DModel, config.ProjectionHiddenDim, config.EmbedDim, config.ProjectionDropout);
        logit_scale = nn.Parameter(tensor((float)config.LogitScaleInit));
        gloss_head = config.GlossVocabSize > 0 ? new GlossCtcHead(config.FusionEncoder.DModel, config.GlossVocabSize) : null;
        RegisterComponents();
        WeightTransfer.SetRequiresGrad(text_encoder.parameters(), false);
        text_encoder.eval();
        MBartLayers.DetachFromDisposeScopes(this);
    }

    public VlpConfig Config { get; }

    public SqueezeformerFusionEncoder FusionEncoder => fusion_encoder;

    /// The frozen mBART encoder (parameters without gradients, always in eval mode).
    public MBartEncoder TextEncoder => text_encoder;

    public ProjectionHead VisualHead => visual_head;

    public ProjectionHead TextHead => text_head;

    /// The gloss CTC head on the fusion encoder, or null (<see cref="VlpConfig.GlossVocabSize"/> 0).
    public GlossCtcHead? GlossHead => gloss_head;

    /// The learnable logit_scale parameter (a scalar); the scale used is <see cref="EffectiveLogitScale"/>.
    public Parameter LogitScale => logit_scale;

    /// Builds the model with the encoder weights of the Hugging Face mBART folder <paramref name="mbartFolder"/>
    /// (its config.json replaces <see cref="VlpConfig.TextEncoder"/>); the rest is randomly initialised.
    public static VisualLanguagePretrainer FromPretrainedMBart(VlpConfig config, string mbartFolder)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (mbart, _) = MBartPretrained.Load(mbartFolder);
        using (mbart)
        {
            var model = new VisualLanguagePretrainer(config with { TextEncoder = mbart.Config });
            model.LoadTextEncoder(mbart);
            return model;
        }
    }

    /// Copies the encoder (and shared token embedding) of <paramref name="mbart"/> into the text encoder.
    /// The configs must describe the same architecture (<see cref="ArgumentException"/> naming a differing tensor).
    public WeightTransferReport LoadTextEncoder(MBartForConditionalGeneration mbart)
    {
        ArgumentNullException.ThrowIfNull(mbart);
        var source = mbart.Model.Encoder.state_dict();
        var report = WeightTransfer.CopyByName(text_encoder, source, "");
        if (!report.IsComplete)
            throw new ArgumentException($"the mBART encoder does not match the VLP text encoder: {report.Summary}; build the VLP model with the mBART's config", nameof(mbart));
        return report;
    }

    /// Training mode for everything except the frozen text encoder, which stays in eval mode.
    public override void train(bool on = true)
    {
        base.train(on);
        text_encoder.eval();
    }

    /// min(exp(logit_scale), max_logit_scale) as a scalar tensor.
    public Tensor EffectiveLogitScale()
    {
        using var scope = NewDisposeScope();
        return logit_scale.exp().clamp_max(Config.MaxLogitScale).MoveToOuterDisposeScope();
    }

    /// L2-normalised visual embeddings (B, E) of the clips.
    public Tensor EmbedVisual(VisualInputs visual)
    {
        using var scope = NewDisposeScope();
        var (embeddings, fused) = EmbedVisualWithStates(visual);
        fused.Dispose();
        return embeddings.MoveToOuterDisposeScope();
    }

    /// <see cref="EmbedVisual"/> that also returns the fusion encoder's output (the gloss head reads it).
    private (Tensor Embeddings, FusionEncoderOutput Fused) EmbedVisualWithStates(VisualInputs visual)
    {
        ArgumentNullException.ThrowIfNull(visual);
        FusionEncoderOutput fused = fusion_encoder.forward(visual.Keypoints, visual.KeypointMask, visual.Siglip, visual.SiglipMask); // (B, T, D)
        Tensor pooled = SequencePooling.MaskedMean(fused.Hidden, fused.Mask);                    // (B, T, D) -> (B, D)
        return (F.normalize(Autocast.ToFloat32(visual_head.forward(pooled)), p: 2, dim: -1), fused); // (B, D) -> (B, E), float32
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

    /// The frozen text encoder's hidden state at each row's &lt;/s&gt; (B, d_text), computed without gradients.
    /// <paramref name="textIds"/>: (B, S) int64; <paramref name="textMask"/>: (B, S), 1 = real.
    public Tensor PooledTextFeatures(Tensor textIds, Tensor textMask)
    {
        ArgumentNullException.ThrowIfNull(textIds);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor hidden = text_encoder.call(textIds, textMask, null, false).LastHiddenState;      // (B, S, d_text)
        Tensor eos = SequencePooling.LastPositionOf(textIds, Config.TextEncoder.EosTokenId);     // (B)
        return SequencePooling.Gather(hidden, eos).MoveToOuterDisposeScope();                    // (B, d_text)
    }

    /// L2-normalised text embeddings (B, E) of tokenized translations.
    public Tensor EmbedText(Tensor textIds, Tensor textMask)
    {
        using var scope = NewDisposeScope();
        Tensor pooled = PooledTextFeatures(textIds, textMask);                                   // (B, d_text)
        return F.normalize(Autocast.ToFloat32(text_head.forward(pooled)), p: 2, dim: -1).MoveToOuterDisposeScope();  // (B, d_text) -> (B, E), float32
    }

    public override VlpOutput forward(VlpInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.TextIds.dim() != 2 || inputs.TextIds.shape[0] != inputs.Visual.BatchSize)
            throw new ArgumentException($"text ids ({string.Join(", ", inputs.TextIds.shape)}) must be (B, S) with B = {inputs.Visual.BatchSize} clips", nameof(inputs));
        using var scope = NewDisposeScope();
        var (visual, fused) = EmbedVisualWithStates(inputs.Visual);                              // (B, E)
        Tensor text = EmbedText(inputs.TextIds, inputs.TextMask);                                // (B, E)
        Tensor scale = EffectiveLogitScale();                                                    // ()
        var (loss, logits) = ContrastiveLoss.SymmetricInfoNce(visual, text, scale);              // (), (B, B)
        Tensor? glossLoss = null, glossLogProbs = null, frames = null;
        if (gloss_head is not null && inputs.GlossTargets is not null && inputs.GlossLengths is not null)
        {
            (glossLogProbs, frames) = gloss_head.Predict(fused);                                     // (B, T, C), (B)
            glossLoss = GlossCtcHead.Loss(glossLogProbs, frames, inputs.GlossTargets, inputs.GlossLengths);
            loss = loss + glossLoss * Config.GlossCtcWeight;
        }
        return new VlpOutput(
            loss.MoveToOuterDisposeScope(),
            logits.MoveToOuterDisposeScope(),
            scale.MoveToOuterDisposeScope(),
            visual.MoveToOuterDisposeScope(),
            text.MoveToOuterDisposeScope(),
            glossLoss?.MoveToOuterDisposeScope(),
            glossLogProbs?.MoveToOuterDisposeScope(),
            frames?.MoveToOuterDisposeScope());
    }
}
