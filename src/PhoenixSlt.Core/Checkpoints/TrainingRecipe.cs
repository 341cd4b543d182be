using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// The data and decoding settings a checkpoint was trained with (training.json beside checkpoint.json), so that
/// evaluation and translation cap the frames and the translation length the same way.
public sealed record TrainingRecipe
{
    public const string FileName = "training.json";

    [JsonPropertyName("phase")] public required string Phase { get; init; }
    [JsonPropertyName("preset")] public string? Preset { get; init; }

    /// MAX_FRAMES of the collator (keypoint stream; SigLIP uses the same cap).
    [JsonPropertyName("max_frames")] public int? MaxFrames { get; init; }

    /// Tokens generated at most per translation.
    [JsonPropertyName("max_new_tokens")] public int? MaxNewTokens { get; init; }

    /// Beams used by validation.
    [JsonPropertyName("num_beams")] public int? NumBeams { get; init; }

    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; }
    [JsonPropertyName("accumulate")] public int Accumulate { get; init; }
    [JsonPropertyName("learning_rates")] public IReadOnlyDictionary<string, double> LearningRates { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("data")] public string? Data { get; init; }
    [JsonPropertyName("init")] public string? Init { get; init; }
    [JsonPropertyName("mbart")] public string? MBart { get; init; }

    /// What a text phase taught the mBART (denoise or gloss2text); null for the other phases.
    [JsonPropertyName("text_task")] public string? TextTask { get; init; }

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, WriteOptions));

    /// training.json of <paramref name="folder"/>, or null when the checkpoint has none.
    /// <see cref="CheckpointFormatException"/> when it is corrupt.
    public static TrainingRecipe? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingRecipe>(File.ReadAllText(path))
                ?? throw new CheckpointFormatException(path, "is 'null'; expected the training settings object");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"is not valid JSON ({e.Message}); delete it to fall back to the model's limits", e);
        }
    }

    public JsonElement ToJsonElement() => JsonSerializer.SerializeToElement(this);
}
