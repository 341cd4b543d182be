using System.Text.Json.Serialization;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Hyper-parameters of the <see cref="SqueezeformerFusionEncoder"/> (JSON names are snake_case).
/// Squeezeformer (Kim et al., NeurIPS 2022), §3; block defaults follow the official configurations
/// (kernel 31, FFN expansion 4, conv expansion 2 with Swish instead of GLU).
public sealed record SqueezeformerConfig
{
    /// Width of a keypoint frame (75 joints × 3).
    [JsonPropertyName("keypoint_dim")]
    public int KeypointDim { get; init; } = FeatureSpec.KeypointDim;

    /// Width of a SigLIP frame embedding.
    [JsonPropertyName("siglip_dim")]
    public int SiglipDim { get; init; } = FeatureSpec.SiglipDim;

    /// Model width D of both streams after projection and of the encoder output.
    [JsonPropertyName("d_model")]
    public int DModel { get; init; } = 384;

    /// Number of Squeezeformer blocks after the fusion.
    [JsonPropertyName("num_blocks")]
    public int NumBlocks { get; init; } = 4;

    /// Attention heads of the Squeezeformer blocks (d_model must be divisible by it).
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 6;

    /// FFN hidden width = d_model × this factor.
    [JsonPropertyName("ffn_expansion_factor")]
    public int FfnExpansionFactor { get; init; } = 4;

    /// Channels of the conv module's depthwise convolution = d_model × this factor.
    [JsonPropertyName("conv_expansion_factor")]
    public int ConvExpansionFactor { get; init; } = 2;

    /// Temporal kernel of the depthwise convolution (odd, for symmetric 'same' padding).
    [JsonPropertyName("conv_kernel_size")]
    public int ConvKernelSize { get; init; } = 31;

    /// Layers of the temporal Transformer over the SigLIP stream (0 disables it).
    [JsonPropertyName("siglip_num_layers")]
    public int SiglipNumLayers { get; init; } = 2;

    /// Attention heads of the SigLIP temporal Transformer.
    [JsonPropertyName("siglip_num_attention_heads")]
    public int SiglipNumAttentionHeads { get; init; } = 6;

    /// FFN hidden width of the SigLIP temporal Transformer.
    [JsonPropertyName("siglip_ffn_dim")]
    public int SiglipFfnDim { get; init; } = 1536;

    /// Dropout on module outputs, FFN hidden activations and the projected inputs.
    [JsonPropertyName("dropout")]
    public double Dropout { get; init; } = 0.1;

    /// Dropout on attention probabilities.
    [JsonPropertyName("attention_dropout")]
    public double AttentionDropout { get; init; } = 0.1;

    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-5;

    [JsonPropertyName("batch_norm_eps")]
    public double BatchNormEps { get; init; } = 1e-5;

    /// Weight of the current batch in the running statistics (PyTorch convention).
    [JsonPropertyName("batch_norm_momentum")]
    public double BatchNormMomentum { get; init; } = 0.1;

    /// Base of the sinusoidal position encoding (Vaswani et al. 2017).
    [JsonPropertyName("position_encoding_base")]
    public double PositionEncodingBase { get; init; } = 10000.0;

    [JsonIgnore]
    public int FfnDim => DModel * FfnExpansionFactor;

    [JsonIgnore]
    public int ConvChannels => DModel * ConvExpansionFactor;

    /// The seed default: D=384, 4 blocks, 6 heads, depthwise k=31, keypoints 225, SigLIP 768.
    public static SqueezeformerConfig Base { get; } = new();

    /// A small configuration for tests and the CPU demo (same input widths, D=32, 2 blocks, k=5).
    public static SqueezeformerConfig Tiny { get; } = new()
    {
        DModel = 32,
        NumBlocks = 2,
        NumAttentionHeads = 4,
        FfnExpansionFactor = 2,
        ConvKernelSize = 5,
        SiglipNumLayers = 1,
        SiglipNumAttentionHeads = 4,
        SiglipFfnDim = 64,
    };

    /// Made to train on a CPU in minutes: D=96, 2 blocks, 4 heads, depthwise k=15, one SigLIP layer.
    public static SqueezeformerConfig Small { get; } = new()
    {
        DModel = 96,
        NumBlocks = 2,
        NumAttentionHeads = 4,
        FfnExpansionFactor = 4,
        ConvKernelSize = 15,
        SiglipNumLayers = 1,
        SiglipNumAttentionHeads = 4,
        SiglipFfnDim = 192,
    };

    /// The preset called <paramref name="name"/> ("tiny", "small" or "base", case-insensitive).
    public static SqueezeformerConfig Preset(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "base" => Base,
        _ => throw new ArgumentException($"unknown Squeezeformer preset '{name}': use 'tiny', 'small' or 'base'", nameof(name)),
    };

    /// Checks every value; the message names the JSON field, the value and what is allowed.
    public SqueezeformerConfig Validate()
    {
        RequirePositive(KeypointDim, "keypoint_dim");
        RequirePositive(SiglipDim, "siglip_dim");
        RequirePositive(DModel, "d_model");
        RequirePositive(NumBlocks, "num_blocks");
        RequirePositive(NumAttentionHeads, "num_attention_heads");
        RequirePositive(FfnExpansionFactor, "ffn_expansion_factor");
        RequirePositive(ConvExpansionFactor, "conv_expansion_factor");
        RequirePositive(ConvKernelSize, "conv_kernel_size");
        RequirePositive(SiglipNumAttentionHeads, "siglip_num_attention_heads");
        RequirePositive(SiglipFfnDim, "siglip_ffn_dim");
        if (SiglipNumLayers < 0)
            throw Invalid("siglip_num_layers", SiglipNumLayers, "must be 0 or more");
        if (DModel % 2 != 0)
            throw Invalid("d_model", DModel, "must be even (sinusoidal positions pair sine and cosine channels)");
        if (DModel % NumAttentionHeads != 0)
            throw Invalid("num_attention_heads", NumAttentionHeads, $"must divide d_model = {DModel}");
        if (DModel % SiglipNumAttentionHeads != 0)
            throw Invalid("siglip_num_attention_heads", SiglipNumAttentionHeads, $"must divide d_model = {DModel}");
        if (ConvKernelSize % 2 == 0)
            throw Invalid("conv_kernel_size", ConvKernelSize, "must be odd so that 'same' padding is symmetric");
        RequireProbability(Dropout, "dropout");
        RequireProbability(AttentionDropout, "attention_dropout");
        if (!(LayerNormEps > 0))
            throw Invalid("layer_norm_eps", LayerNormEps, "must be > 0");
        if (!(BatchNormEps > 0))
            throw Invalid("batch_norm_eps", BatchNormEps, "must be > 0");
        if (!(BatchNormMomentum > 0 && BatchNormMomentum <= 1))
            throw Invalid("batch_norm_momentum", BatchNormMomentum, "must be in (0, 1]");
        if (!(PositionEncodingBase > 1))
            throw Invalid("position_encoding_base", PositionEncodingBase, "must be > 1");
        return this;
    }

    private static void RequirePositive(int value, string field)
    {
        if (value <= 0)
            throw Invalid(field, value, "must be a positive integer");
    }

    private static void RequireProbability(double value, string field)
    {
        if (!(value >= 0 && value < 1))
            throw Invalid(field, value, "must be in [0, 1)");
    }

    private static ArgumentException Invalid(string field, object value, string rule)
        => new($"Squeezeformer config: {field} = {value} {rule}; fix the value in the model config");
}
