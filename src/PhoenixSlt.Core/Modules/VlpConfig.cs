using System.Text.Json.Serialization;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;

namespace PhoenixSlt.Core.Modules;

/// Hyper-parameters of the <see cref="VisualLanguagePretrainer"/> (JSON names are snake_case).
/// GFSLT-VLP (Zhou et al., ICCV 2023), §3.2: CLIP-style alignment of visual and text embeddings, temperature
/// initialised at 0.07 as in CLIP (Radford et al., ICML 2021).
public sealed record VlpConfig
{
    /// log(1 / 0.07): CLIP's initial logit scale (a temperature of 0.07).
    public static readonly double DefaultLogitScaleInit = Math.Log(1 / 0.07);

    /// CLIP's cap on the effective scale exp(logit_scale).
    public const double DefaultMaxLogitScale = 100.0;

    [JsonPropertyName("fusion_encoder")]
    public SqueezeformerConfig FusionEncoder { get; init; } = SqueezeformerConfig.Base;

    /// The (frozen) mBART whose encoder embeds the translations; its d_model is the text feature width.
    [JsonPropertyName("text_encoder")]
    public MBartConfig TextEncoder { get; init; } = MBartConfig.MBartLargeCc25;

    /// Width of the shared visual-text embedding space.
    [JsonPropertyName("embed_dim")]
    public int EmbedDim { get; init; } = 512;

    /// Hidden width of both projection heads.
    [JsonPropertyName("projection_hidden_dim")]
    public int ProjectionHiddenDim { get; init; } = 1024;

    /// Dropout inside the projection heads.
    [JsonPropertyName("projection_dropout")]
    public double ProjectionDropout { get; init; } = 0.1;

    /// Initial value of the learnable logit_scale parameter (the scale is exp(logit_scale)).
    [JsonPropertyName("logit_scale_init")]
    public double LogitScaleInit { get; init; } = DefaultLogitScaleInit;

    /// Upper bound of exp(logit_scale); above it the scale is clamped (and gets no gradient).
    [JsonPropertyName("max_logit_scale")]
    public double MaxLogitScale { get; init; } = DefaultMaxLogitScale;

    /// Classes of the gloss CTC head on the fusion encoder (the gloss vocabulary with its blank); 0 = no head.
    [JsonPropertyName("gloss_vocab_size")]
    public int GlossVocabSize { get; init; }

    /// Weight of the gloss CTC loss added to the contrastive loss (used when <see cref="GlossVocabSize"/> &gt; 0).
    [JsonPropertyName("gloss_ctc_weight")]
    public double GlossCtcWeight { get; init; }

    /// The seed default: Squeezeformer base (D=384) with the mbart-large-cc25 encoder, 512-d embedding space.
    public static VlpConfig Base { get; } = new();

    /// Tests and the CPU demo: the tiny Squeezeformer and the tiny mBART, a 32-d embedding space.
    public static VlpConfig Tiny { get; } = new()
    {
        FusionEncoder = SqueezeformerConfig.Tiny,
        TextEncoder = MBartConfig.Tiny,
        EmbedDim = 32,
        ProjectionHiddenDim = 64,
    };

    /// The CPU training preset: the small Squeezeformer, a 128-d embedding space (the text encoder is chosen by
    /// the caller).
    public static VlpConfig Small { get; } = new()
    {
        FusionEncoder = SqueezeformerConfig.Small,
        TextEncoder = MBartConfig.Tiny,
        EmbedDim = 128,
        ProjectionHiddenDim = 256,
    };

    /// The preset called <paramref name="name"/> ("tiny", "small" or "base", case-insensitive).
    public static VlpConfig Preset(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "base" => Base,
        _ => throw new ArgumentException($"unknown VLP preset '{name}': use 'tiny', 'small' or 'base'", nameof(name)),
    };

    /// Checks every value (nested configs included).
    public VlpConfig Validate()
    {
        const string config = "VLP config";
        if (FusionEncoder is null)
            throw ModelConfigErrors.Invalid(config, "fusion_encoder", "null", "is required");
        if (TextEncoder is null)
            throw ModelConfigErrors.Invalid(config, "text_encoder", "null", "is required");
        FusionEncoder.Validate();
        TextEncoder.Validate("VLP config text_encoder");
        ModelConfigErrors.RequirePositive(config, "embed_dim", EmbedDim);
        ModelConfigErrors.RequirePositive(config, "projection_hidden_dim", ProjectionHiddenDim);
        ModelConfigErrors.RequireProbability(config, "projection_dropout", ProjectionDropout);
        if (!double.IsFinite(LogitScaleInit))
            throw ModelConfigErrors.Invalid(config, "logit_scale_init", LogitScaleInit, "must be a finite number");
        if (!(MaxLogitScale > 0) || !double.IsFinite(MaxLogitScale))
            throw ModelConfigErrors.Invalid(config, "max_logit_scale", MaxLogitScale, "must be a finite number > 0");
        ModelConfigErrors.RequireGlossHead(config, GlossVocabSize, GlossCtcWeight);
        return this;
    }
}
