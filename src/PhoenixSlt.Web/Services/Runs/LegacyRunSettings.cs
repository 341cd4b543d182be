using System.Text.Json;
using System.Text.Json.Nodes;

namespace PhoenixSlt.Web.Services.Runs;

/// Runs stored before the run spec kept their settings as camelCase JSON ({"batchSize": 8, "initCheckpoint": …,
/// "mBartFolder": …, "dataset": …}); this turns such JSON into run-spec JSON so that their settings are shown and
/// a resume trains with them. Spec JSON passes through unchanged.
public static class LegacyRunSettings
{
    private static readonly Dictionary<string, string?> Renamed = new(StringComparer.Ordinal)
    {
        ["initCheckpoint"] = "init",
        ["mBartFolder"] = "mbart",
        ["dataset"] = null,             // the run row keeps the dataset; the spec's data is its folder
    };

    public static string ToSpecJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return "{}";
        JsonObject? settings;
        try
        {
            settings = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return "{}";
        }
        if (settings is null || !settings.Any(p => p.Key.Any(char.IsUpper)))
            return json;
        var spec = new JsonObject();
        foreach (var (name, value) in settings)
        {
            string? renamed = Renamed.TryGetValue(name, out var mapped) ? mapped : JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
            if (renamed is not null)
                spec[renamed] = value?.DeepClone();
        }
        return spec.ToJsonString();
    }
}
