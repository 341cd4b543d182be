using System.Text.Json;
using System.Text.Json.Serialization;
using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Core.Decoding;

/// Generation settings with the names and defaults of Hugging Face's <c>generation_config.json</c>
/// (transformers 4.40 GenerationConfig; unknown keys are ignored). Token ids left null fall back to the
/// model's (see <see cref="Resolve"/>); an empty forced_eos_token_id list switches forced EOS off.
public sealed record GenerationConfig
{
    /// File name of the generation settings in a Hugging Face model folder.
    public const string FileName = "generation_config.json";

    /// Total decoder length including the decoder start token (ignored when <see cref="MaxNewTokens"/> is set).
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 20;

    /// Generated tokens after the decoder start token; takes precedence over <see cref="MaxLength"/>.
    [JsonPropertyName("max_new_tokens")] public int? MaxNewTokens { get; init; }

    /// EOS is forbidden while the decoder length (start token included) is below this.
    [JsonPropertyName("min_length")] public int MinLength { get; init; }

    /// EOS is forbidden until this many tokens were generated after the start token.
    [JsonPropertyName("min_new_tokens")] public int? MinNewTokens { get; init; }

    /// 1 = greedy search, more = beam search.
    [JsonPropertyName("num_beams")] public int NumBeams { get; init; } = 1;

    /// Finished beam hypotheses are ranked by sum_logprobs / generated_len ** length_penalty.
    [JsonPropertyName("length_penalty")] public double LengthPenalty { get; init; } = 1.0;

    [JsonPropertyName("early_stopping")]
    [JsonConverter(typeof(EarlyStoppingJsonConverter))]
    public EarlyStopping EarlyStopping { get; init; } = EarlyStopping.Heuristic;

    /// No n-gram of this size occurs twice in a generated sequence (0 = off).
    [JsonPropertyName("no_repeat_ngram_size")] public int NoRepeatNgramSize { get; init; }

    /// Sampling is not supported; true is rejected by <see cref="Resolve"/>.
    [JsonPropertyName("do_sample")] public bool DoSample { get; init; }

    /// Only 1 is supported.
    [JsonPropertyName("num_return_sequences")] public int NumReturnSequences { get; init; } = 1;

    /// First decoder token (mbart-large-cc25: the target language code, e.g. de_DE); null = model's, then BOS.
    [JsonPropertyName("decoder_start_token_id")] public int? DecoderStartTokenId { get; init; }

    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; init; }

    /// Fills finished rows; null = model's.
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; init; }

    [JsonPropertyName("eos_token_id")]
    [JsonConverter(typeof(TokenIdListJsonConverter))]
    public IReadOnlyList<int>? EosTokenId { get; init; }

    /// Token(s) forced at the last allowed position; null = model's; empty = none.
    [JsonPropertyName("forced_eos_token_id")]
    [JsonConverter(typeof(TokenIdListJsonConverter))]
    public IReadOnlyList<int>? ForcedEosTokenId { get; init; }

    /// Return the processed scores of every step (greedy search).
    [JsonPropertyName("output_scores")] public bool OutputScores { get; init; }

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// What transformers derives from a model config when a folder has no generation_config.json: the model's
    /// special token ids, forced EOS and decoder start, everything else at its default.
    public static GenerationConfig FromModel(IIncrementalDecoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new GenerationConfig
        {
            BosTokenId = model.BosTokenId,
            PadTokenId = model.PadTokenId,
            EosTokenId = [model.EosTokenId],
            DecoderStartTokenId = model.DecoderStartTokenId,
            ForcedEosTokenId = model.ForcedEosTokenId is int forced ? [forced] : [],
        };
    }

    /// <paramref name="folder"/>/generation_config.json when it exists, otherwise <see cref="FromModel"/>.
    public static GenerationConfig Load(string folder, IIncrementalDecoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = Path.Combine(folder, FileName);
        return File.Exists(path) ? FromFile(path) : FromModel(model);
    }

    /// Reads a generation_config.json; <see cref="CheckpointFormatException"/> naming the file when it is not valid.
    public static GenerationConfig FromFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "file not found", e);
        }
        return FromJson(json, path);
    }

    /// Parses generation_config.json text; <paramref name="source"/> names it in problems.
    public static GenerationConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<GenerationConfig>(json)
                ?? throw new CheckpointFormatException(source, "not a valid generation_config.json (it is 'null')");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, $"not a valid generation_config.json ({e.Message})", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// The effective settings for <paramref name="model"/>, as transformers 4.40's generate computes them for an
    /// encoder-decoder model (decoder prompt = the start token): max_length = 1 + max_new_tokens when set;
    /// min length = max(min_length, 1 + min_new_tokens); null ids from the model; the start token falls back to
    /// BOS as in transformers. <see cref="InvalidGenerationConfigException"/> says what is wrong and how to fix it.
    public GenerationSettings Resolve(IIncrementalDecoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problems = new List<string>();
        if (DoSample)
            problems.Add("do_sample=true (sampling) is not supported; use greedy (num_beams=1) or beam search (num_beams>1)");
        if (NumReturnSequences != 1)
            problems.Add($"num_return_sequences={NumReturnSequences} is not supported; only the best sequence per input is returned (use 1)");
        if (NumBeams < 1)
            problems.Add($"num_beams must be at least 1, got {NumBeams}");
        if (MaxNewTokens is < 1)
            problems.Add($"max_new_tokens must be at least 1, got {MaxNewTokens}");
        int maxLength = MaxNewTokens is int newTokens ? 1 + newTokens : MaxLength;
        if (MaxNewTokens is null && MaxLength < 2)
            problems.Add($"max_length must be at least 2 (the start token and one generated token), got {MaxLength}");
        if (maxLength - 1 > model.MaxDecoderPositions)
            problems.Add($"max length {maxLength} needs {maxLength - 1} decoder positions but the model has {model.MaxDecoderPositions}; lower max_new_tokens/max_length");
        if (MinLength < 0 || MinNewTokens is < 0)
            problems.Add("min_length and min_new_tokens must not be negative");
        if (NoRepeatNgramSize < 0)
            problems.Add($"no_repeat_ngram_size must not be negative, got {NoRepeatNgramSize}");
        if (!double.IsFinite(LengthPenalty))
            problems.Add($"length_penalty must be a finite number, got {LengthPenalty}");

        var eos = (EosTokenId ?? [model.EosTokenId]).Select(id => (long)id).ToArray();
        var forcedEos = (ForcedEosTokenId ?? (model.ForcedEosTokenId is int f ? [f] : [])).Select(id => (long)id).ToArray();
        long pad = PadTokenId ?? model.PadTokenId;
        long start = DecoderStartTokenId ?? model.DecoderStartTokenId ?? BosTokenId ?? model.BosTokenId;
        CheckIds(problems, "eos_token_id", eos, model.VocabSize);
        CheckIds(problems, "forced_eos_token_id", forcedEos, model.VocabSize);
        CheckIds(problems, "pad_token_id", [pad], model.VocabSize);
        CheckIds(problems, "decoder_start_token_id", [start], model.VocabSize);
        if (problems.Count > 0)
            throw new InvalidGenerationConfigException(string.Join("; ", problems));

        return new GenerationSettings
        {
            NumBeams = NumBeams,
            MaxLength = maxLength,
            MinLength = Math.Max(MinLength, MinNewTokens is int minNew ? 1 + minNew : 0),
            LengthPenalty = LengthPenalty,
            EarlyStopping = EarlyStopping,
            NoRepeatNgramSize = NoRepeatNgramSize,
            DecoderStartTokenId = start,
            PadTokenId = pad,
            EosTokenIds = eos,
            ForcedEosTokenIds = forcedEos,
            OutputScores = OutputScores,
            VocabSize = model.VocabSize,
        };
    }

    private static void CheckIds(List<string> problems, string name, long[] ids, int vocabSize)
    {
        foreach (long id in ids)
            if (id < 0 || id >= vocabSize)
                problems.Add($"{name} {id} is outside the vocabulary [0, {vocabSize})");
    }
}

/// Generation settings that do not fit the model or are not supported; the message says what to change.
public sealed class InvalidGenerationConfigException(string message) : ArgumentException(message);
