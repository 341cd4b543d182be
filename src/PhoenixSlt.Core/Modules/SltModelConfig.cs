using System.Text.Json.Serialization;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;

namespace PhoenixSlt.Core.Modules;

/// Hyper-parameters of the <see cref="SignTranslationModel"/> (JSON names are snake_case).
/// GFSLT-VLP (Zhou et al., ICCV 2023), §3.3: visual encoder → adapter → mBART encoder/decoder, trained with
/// label-smoothed cross-entropy (0.2 in its published configuration).
public sealed record SltModelConfig
{
    [JsonPropertyName("fusion_encoder")]
    public SqueezeformerConfig FusionEncoder { get; init; } = SqueezeformerConfig.Base;

    [JsonPropertyName("mbart")]
    public MBartConfig MBart { get; init; } = MBartConfig.MBartLargeCc25;

    /// Dropout at the end of the <see cref="VisualAdapter"/>.
    [JsonPropertyName("adapter_dropout")]
    public double AdapterDropout { get; init; } = 0.1;

    /// Label smoothing ε of the training loss (0 = plain cross-entropy).
    [JsonPropertyName("label_smoothing")]
    public double LabelSmoothing { get; init; } = 0.2;

    /// Classes of the gloss CTC head on the fusion encoder (the gloss vocabulary with its blank); 0 = no head.
    [JsonPropertyName("gloss_vocab_size")]
    public int GlossVocabSize { get; init; }

    /// Weight of the gloss CTC loss added to the translation loss (used when <see cref="GlossVocabSize"/> &gt; 0).
    [JsonPropertyName("gloss_ctc_weight")]
    public double GlossCtcWeight { get; init; }

    /// Keep the mBART encoder fixed (no gradients, eval mode); the shared token embedding belongs to the decoder.
    [JsonPropertyName("freeze_text_encoder")]
    public bool FreezeTextEncoder { get; init; } = true;

    /// Keep the mBART decoder, the shared token embedding and the LM head fixed.
    [JsonPropertyName("freeze_decoder")]
    public bool FreezeDecoder { get; init; }

    /// Keep the Squeezeformer fusion encoder fixed (the adapter always trains).
    [JsonPropertyName("freeze_fusion_encoder")]
    public bool FreezeFusionEncoder { get; init; }

    /// The seed default: Squeezeformer base (D=384) in front of mbart-large-cc25.
    public static SltModelConfig Base { get; } = new();

    /// Tests and the CPU demo: the tiny Squeezeformer in front of the tiny mBART.
    public static SltModelConfig Tiny { get; } = new()
    {
        FusionEncoder = SqueezeformerConfig.Tiny,
        MBart = MBartConfig.Tiny,
        LabelSmoothing = 0.1,
    };

    /// The CPU training preset: the small Squeezeformer (the mBART is chosen by the caller).
    public static SltModelConfig Small { get; } = new()
    {
        FusionEncoder = SqueezeformerConfig.Small,
        MBart = MBartConfig.Tiny,
        LabelSmoothing = 0.1,
    };

    /// The preset called <paramref name="name"/> ("tiny", "small" or "base", case-insensitive).
    public static SltModelConfig Preset(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "base" => Base,
        _ => throw new ArgumentException($"unknown SLT preset '{name}': use 'tiny', 'small' or 'base'", nameof(name)),
    };

    /// Checks every value (nested configs included).
    public SltModelConfig Validate()
    {
        const string config = "SLT config";
        if (FusionEncoder is null)
            throw ModelConfigErrors.Invalid(config, "fusion_encoder", "null", "is required");
        if (MBart is null)
            throw ModelConfigErrors.Invalid(config, "mbart", "null", "is required");
        FusionEncoder.Validate();
        MBart.Validate("SLT config mbart");
        ModelConfigErrors.RequireProbability(config, "adapter_dropout", AdapterDropout);
        ModelConfigErrors.RequireProbability(config, "label_smoothing", LabelSmoothing);
        ModelConfigErrors.RequireGlossHead(config, GlossVocabSize, GlossCtcWeight);
        return this;
    }
}
