using System.Text.Json;

namespace PhoenixSlt.Web.Services.SystemInfo;

/// Reads the libraries an application was built with from its .deps.json (the "libraries" object, whose keys are
/// "name/version"): how the portal tells which native libtorch package it runs on.
public static class DepsJsonLibraries
{
    /// Package name → version of every library in <paramref name="depsJson"/>; empty when the text has no
    /// "libraries" object. <see cref="JsonException"/> when the text is not JSON.
    public static IReadOnlyDictionary<string, string> Parse(string depsJson)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using JsonDocument doc = JsonDocument.Parse(depsJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("libraries", out JsonElement libraries)
            || libraries.ValueKind != JsonValueKind.Object)
            return result;
        foreach (JsonProperty library in libraries.EnumerateObject())
        {
            int slash = library.Name.LastIndexOf('/');
            if (slash > 0 && slash < library.Name.Length - 1)
                result[library.Name[..slash]] = library.Name[(slash + 1)..];
        }
        return result;
    }

    /// The native libtorch package among <paramref name="libraries"/> (libtorch-cpu-*, libtorch-cuda-*; the
    /// TorchSharp-cuda-* meta packages pull a libtorch-cuda-* one), or null.
    public static KeyValuePair<string, string>? FindLibTorch(IReadOnlyDictionary<string, string> libraries)
    {
        foreach (KeyValuePair<string, string> library in libraries.OrderBy(l => l.Key, StringComparer.Ordinal))
            if (library.Key.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase))
                return library;
        return null;
    }

    /// The .deps.json files describing this process: those the runtime loaded (the application's first), then any
    /// next to <paramref name="assemblyDirectory"/> (under a test host or plug-in loader the application's own
    /// deps file is only found there).
    public static IReadOnlyList<string> CandidateFiles(string? assemblyDirectory)
    {
        var files = new List<string>();
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string loaded)
            files.AddRange(SplitDepsFiles(loaded));
        if (assemblyDirectory is not null && Directory.Exists(assemblyDirectory))
            files.AddRange(Directory.EnumerateFiles(assemblyDirectory, "*.deps.json").Order(StringComparer.Ordinal));
        return [.. files.Distinct(StringComparer.Ordinal)];
    }

    /// The host lists the loaded deps files separated by ';' on every platform (not the PATH separator).
    public static IReadOnlyList<string> SplitDepsFiles(string value)
        => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
