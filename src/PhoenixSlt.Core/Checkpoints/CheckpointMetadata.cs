using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// The contents of a checkpoint folder's <c>checkpoint.json</c>: what produced the weights, with which model
/// configuration and tokenizer, how far training had got and how well it did.
public sealed record CheckpointMetadata
{
    /// Version of the checkpoint folder layout written by this code.
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    [JsonPropertyName("phase")] public required CheckpointPhase Phase { get; init; }

    /// The model's configuration record(s) serialised as JSON (e.g. an <c>MBartConfig</c> with its
    /// snake_case names); read back with <see cref="ReadModelConfig{T}"/>.
    [JsonPropertyName("model_config")] public required JsonElement ModelConfig { get; init; }

    /// File name (inside the folder) of the tokenizer: sentencepiece.bpe.model, tokenizer.json or
    /// vocab_trim.json; null when the checkpoint has no tokenizer.
    [JsonPropertyName("tokenizer_file")] public string? TokenizerFile { get; init; }

    /// Optimizer steps done when the checkpoint was written.
    [JsonPropertyName("step")] public long Step { get; init; }

    /// Epoch in progress (0-based) when the checkpoint was written.
    [JsonPropertyName("epoch")] public int Epoch { get; init; }

    /// Validation metrics of this checkpoint by name (may hold NaN).
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    [JsonPropertyName("best_metric")] public BestMetric? BestMetric { get; init; }

    /// The checkpoint this one was initialised from (a VLP checkpoint for SLT, the untrimmed model for a trimmed
    /// mBART), or null.
    [JsonPropertyName("parent_checkpoint")] public string? ParentCheckpoint { get; init; }

    /// When the checkpoint was written; <see cref="CheckpointStore.Save"/> sets it when left at default.
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; }

    /// Metadata for <paramref name="phase"/> with <paramref name="modelConfig"/> serialised by its JSON names.
    public static CheckpointMetadata Create<TConfig>(CheckpointPhase phase, TConfig modelConfig)
    {
        ArgumentNullException.ThrowIfNull(modelConfig);
        return new CheckpointMetadata { Phase = phase, ModelConfig = JsonSerializer.SerializeToElement(modelConfig) };
    }

    /// The model configuration as <typeparamref name="T"/>; <see cref="CheckpointFormatException"/> naming
    /// <paramref name="source"/> when it does not fit.
    public T ReadModelConfig<T>(string source = FileName) where T : class
        => CheckpointJson.Parse<T>(ModelConfig.GetRawText(), source, $"model_config for {typeof(T).Name}");

    /// File name of the metadata inside a checkpoint folder.
    public const string FileName = "checkpoint.json";

    /// Reads <paramref name="folder"/>/checkpoint.json; <see cref="CheckpointFormatException"/> naming the
    /// folder when it is missing, corrupt, incomplete or from a newer format.
    public static CheckpointMetadata Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new CheckpointFormatException(folder, "checkpoint folder not found");
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new CheckpointFormatException(folder,
                $"not a checkpoint folder: {FileName} is missing (a checkpoint holds {FileName}, model.safetensors and its tokenizer)");
        CheckpointMetadata metadata;
        try
        {
            metadata = CheckpointJson.ReadFile<CheckpointMetadata>(path, FileName);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(folder, $"{FileName} is corrupt: {e.Problem}", e);
        }
        metadata.Validate(folder);
        return metadata;
    }

    /// Writes this metadata to <paramref name="folder"/>/checkpoint.json.
    public void Save(string folder)
    {
        Validate(folder);
        CheckpointJson.WriteFile(Path.Combine(folder, FileName), this);
    }

    private void Validate(string folder)
    {
        var problems = new List<string>();
        if (FormatVersion > CurrentFormatVersion)
            problems.Add($"format_version {FormatVersion} is newer than this program understands ({CurrentFormatVersion}); update phoenix-slt");
        else if (FormatVersion < 1)
            problems.Add($"format_version {FormatVersion} is not valid");
        if (!Enum.IsDefined(Phase))
            problems.Add($"phase {(int)Phase} is not one of text, vlp, slt, mbart");
        if (ModelConfig.ValueKind != JsonValueKind.Object)
            problems.Add($"model_config must be a JSON object, found {ModelConfig.ValueKind}");
        if (Step < 0)
            problems.Add($"step {Step} is negative");
        if (Epoch < 0)
            problems.Add($"epoch {Epoch} is negative");
        if (TokenizerFile is not null && (TokenizerFile.Length == 0 || Path.GetFileName(TokenizerFile) != TokenizerFile))
            problems.Add($"tokenizer_file \"{TokenizerFile}\" must be a file name inside the checkpoint folder");
        if (problems.Count > 0)
            throw new CheckpointFormatException(folder, $"{FileName}: {string.Join("; ", problems)}");
    }
}
