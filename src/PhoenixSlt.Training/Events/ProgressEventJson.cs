using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Training.Events;

/// The JSON form of <see cref="ProgressEvent"/>s: one compact object per line, snake_case property names,
/// the <c>type</c> discriminator first, dictionary keys as given.
public static class ProgressEventJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        AllowOutOfOrderMetadataProperties = true,
    };

    /// One line of JSON (no line break).
    public static string Serialize(ProgressEvent progressEvent)
    {
        ArgumentNullException.ThrowIfNull(progressEvent);
        return JsonSerializer.Serialize(progressEvent, Options);
    }

    /// Reads one line; <see cref="JsonException"/> when it is not a progress event.
    public static ProgressEvent Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return JsonSerializer.Deserialize<ProgressEvent>(line, Options)
            ?? throw new JsonException("the line is 'null', not a progress event");
    }

    /// <paramref name="value"/> when finite, else null (JSON has no NaN or infinity).
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// The finite entries of <paramref name="metrics"/> (JSON has no NaN or infinity).
    public static IReadOnlyDictionary<string, double> FiniteOnly(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }
}
