using System.Text.Json;
using System.Text.Json.Serialization;
using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Core.Modules.MBart;

/// Hyper-parameters of an mBART model with the snake_case names of Hugging Face's <c>config.json</c>
/// (transformers' MBartConfig; unknown keys are ignored, missing keys take MBartConfig's defaults).
public sealed record MBartConfig
{
    /// LayerNorm epsilon: transformers' MBart layers use nn.LayerNorm's default.
    public const double LayerNormEps = 1e-5;

    /// Learned position tables have this many extra rows at the start (fairseq legacy).
    public const int PositionOffset = 2;

    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "mbart";
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 50265;
    [JsonPropertyName("d_model")] public int DModel { get; init; } = 1024;
    [JsonPropertyName("encoder_layers")] public int EncoderLayers { get; init; } = 12;
    [JsonPropertyName("decoder_layers")] public int DecoderLayers { get; init; } = 12;
    [JsonPropertyName("encoder_attention_heads")] public int EncoderAttentionHeads { get; init; } = 16;
    [JsonPropertyName("decoder_attention_heads")] public int DecoderAttentionHeads { get; init; } = 16;
    [JsonPropertyName("encoder_ffn_dim")] public int EncoderFfnDim { get; init; } = 4096;
    [JsonPropertyName("decoder_ffn_dim")] public int DecoderFfnDim { get; init; } = 4096;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 1024;

    /// "gelu" (exact, erf), "gelu_new"/"gelu_pytorch_tanh" (tanh approximation), "relu", "silu"/"swish".
    [JsonPropertyName("activation_function")] public string ActivationFunction { get; init; } = "gelu";

    /// Multiply token embeddings by sqrt(d_model) (never applied to inputs_embeds).
    [JsonPropertyName("scale_embedding")] public bool ScaleEmbedding { get; init; }

    [JsonPropertyName("dropout")] public double Dropout { get; init; } = 0.1;
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    [JsonPropertyName("activation_dropout")] public double ActivationDropout { get; init; }
    [JsonPropertyName("encoder_layerdrop")] public double EncoderLayerdrop { get; init; }
    [JsonPropertyName("decoder_layerdrop")] public double DecoderLayerdrop { get; init; }
    [JsonPropertyName("init_std")] public double InitStd { get; init; } = 0.02;
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; } = 1;
    [JsonPropertyName("bos_token_id")] public int BosTokenId { get; init; }
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 2;
    [JsonPropertyName("forced_eos_token_id")] public int? ForcedEosTokenId { get; init; } = 2;

    /// Null for mbart-large-cc25: generation must then be started with the target language code.
    [JsonPropertyName("decoder_start_token_id")] public int? DecoderStartTokenId { get; init; }

    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; } = true;

    [JsonIgnore] public int EncoderHeadDim => DModel / EncoderAttentionHeads;
    [JsonIgnore] public int DecoderHeadDim => DModel / DecoderAttentionHeads;

    /// sqrt(d_model) when <see cref="ScaleEmbedding"/>, else 1.
    [JsonIgnore] public double EmbedScale => ScaleEmbedding ? Math.Sqrt(DModel) : 1.0;

    /// The tiny model of the golden fixtures (tests/fixtures/mbart-tiny/config.json): for tests and CPU demos.
    public static MBartConfig Tiny { get; } = new()
    {
        VocabSize = 1027,
        DModel = 64,
        EncoderLayers = 2,
        DecoderLayers = 2,
        EncoderAttentionHeads = 4,
        DecoderAttentionHeads = 4,
        EncoderFfnDim = 128,
        DecoderFfnDim = 128,
        MaxPositionEmbeddings = 128,
        ScaleEmbedding = true,
        Dropout = 0,
        AttentionDropout = 0,
        ActivationDropout = 0,
        InitStd = 0.1,
    };

    /// The architecture of facebook/mbart-large-cc25 (250,027 tokens: 250,001 SentencePiece ids + 25
    /// language codes + &lt;mask&gt;). A checkpoint folder's own config.json takes precedence when loading.
    public static MBartConfig MBartLargeCc25 { get; } = new()
    {
        VocabSize = 250027,
        DModel = 1024,
        EncoderLayers = 12,
        DecoderLayers = 12,
        EncoderAttentionHeads = 16,
        DecoderAttentionHeads = 16,
        EncoderFfnDim = 4096,
        DecoderFfnDim = 4096,
        MaxPositionEmbeddings = 1024,
        ScaleEmbedding = true,
        Dropout = 0.1,
        AttentionDropout = 0.1,
        ActivationDropout = 0,
        InitStd = 0.02,
    };

    /// A preset by name: "tiny" or "mbart-large-cc25"; <see cref="ArgumentException"/> listing both otherwise.
    public static MBartConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "mbart-large-cc25" or "facebook/mbart-large-cc25" => MBartLargeCc25,
        _ => throw new ArgumentException($"unknown mBART preset '{name}' (known: tiny, mbart-large-cc25)", nameof(name)),
    };

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// Reads a Hugging Face config.json; <see cref="CheckpointFormatException"/> naming the file if it is missing,
    /// not JSON, not an mBART config, or inconsistent.
    public static MBartConfig FromFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "file not found; an mBART folder needs the config.json written by save_pretrained", e);
        }
        return FromJson(json, path);
    }

    /// Parses config.json text; <paramref name="source"/> names it in problems.
    public static MBartConfig FromJson(string json, string source)
    {
        MBartConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<MBartConfig>(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, $"not a valid config.json ({e.Message})", e);
        }
        if (config is null)
            throw new CheckpointFormatException(source, "not a valid config.json (it is 'null')");
        config.Validate(source);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// Throws <see cref="CheckpointFormatException"/> (naming <paramref name="source"/>) for inconsistent values.
    public void Validate(string source = "mBART config")
    {
        var problems = new List<string>();
        if (!string.Equals(ModelType, "mbart", StringComparison.OrdinalIgnoreCase))
            problems.Add($"model_type is \"{ModelType}\", expected \"mbart\"");
        Positive(problems, "vocab_size", VocabSize);
        Positive(problems, "d_model", DModel);
        Positive(problems, "encoder_layers", EncoderLayers);
        Positive(problems, "decoder_layers", DecoderLayers);
        Positive(problems, "encoder_attention_heads", EncoderAttentionHeads);
        Positive(problems, "decoder_attention_heads", DecoderAttentionHeads);
        Positive(problems, "encoder_ffn_dim", EncoderFfnDim);
        Positive(problems, "decoder_ffn_dim", DecoderFfnDim);
        Positive(problems, "max_position_embeddings", MaxPositionEmbeddings);
        if (EncoderAttentionHeads > 0 && DModel % EncoderAttentionHeads != 0)
            problems.Add($"d_model {DModel} is not divisible by encoder_attention_heads {EncoderAttentionHeads}");
        if (DecoderAttentionHeads > 0 && DModel % DecoderAttentionHeads != 0)
            problems.Add($"d_model {DModel} is not divisible by decoder_attention_heads {DecoderAttentionHeads}");
        if (!MBartActivation.IsKnown(ActivationFunction))
            problems.Add($"activation_function \"{ActivationFunction}\" is not supported (use {MBartActivation.KnownNames})");
        foreach (var (name, p) in new[] { ("dropout", Dropout), ("attention_dropout", AttentionDropout), ("activation_dropout", ActivationDropout), ("encoder_layerdrop", EncoderLayerdrop), ("decoder_layerdrop", DecoderLayerdrop) })
            if (p is < 0 or >= 1 || double.IsNaN(p))
                problems.Add($"{name} {p} must be in [0, 1)");
        foreach (var (name, id) in new[] { ("pad_token_id", PadTokenId), ("bos_token_id", BosTokenId), ("eos_token_id", EosTokenId) })
            if (id < 0 || id >= VocabSize)
                problems.Add($"{name} {id} is outside the vocabulary [0, {VocabSize})");
        if (!TieWordEmbeddings)
            problems.Add("tie_word_embeddings false is not supported (mBART ties the LM head to the shared embeddings)");
        if (problems.Count > 0)
            throw new CheckpointFormatException(source, string.Join("; ", problems));
    }

    private static void Positive(List<string> problems, string name, int value)
    {
        if (value <= 0)
            problems.Add($"{name} must be positive, found {value}");
    }
}
