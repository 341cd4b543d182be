using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// JSON settings of the checkpoint files (checkpoint.json, trainer_state.json, vocab_trim.json): indented,
/// NaN/Infinity allowed in numbers (metrics can be NaN), nullability and required members enforced on read.
internal static class CheckpointJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// Reads <paramref name="path"/> as <typeparamref name="T"/>; <see cref="CheckpointFormatException"/> naming
    /// the file when it is missing, unreadable, not JSON or not of that shape (<paramref name="what"/> describes it).
    public static T ReadFile<T>(string path, string what) where T : class
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, $"{what} not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot read the {what}: {e.Message}", e);
        }
        return Parse<T>(json, path, what);
    }

    /// Parses <paramref name="json"/>; <paramref name="source"/> names it in problems.
    public static T Parse<T>(string json, string source, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new CheckpointFormatException(source, $"not a valid {what} (it is 'null')");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, $"not a valid {what} ({e.Message})", e);
        }
    }

    /// Writes <paramref name="value"/> to <paramref name="path"/> (UTF-8, indented).
    public static void WriteFile<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Options));
}
