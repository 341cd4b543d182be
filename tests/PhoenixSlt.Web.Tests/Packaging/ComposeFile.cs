using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace PhoenixSlt.Web.Tests.Packaging;

/// A docker-compose.yml read with YamlDotNet (anchors, aliases and merge keys resolved) as nested
/// dictionaries, lists and strings, with helpers for the parts these tests read.
public sealed class ComposeFile(IReadOnlyDictionary<object, object> root)
{
    public IReadOnlyDictionary<object, object> Root { get; } = root;

    public static ComposeFile Load(string path)
    {
        using var reader = new StreamReader(path);
        var deserializer = new DeserializerBuilder().Build();
        var root = deserializer.Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)))
            ?? throw new FormatException($"{path} is empty");
        return new ComposeFile(root);
    }

    public IReadOnlyDictionary<object, object> Services => Map(Root, "services");

    public IReadOnlyDictionary<object, object> Service(string name) => Map(Services, name);

    /// The mapping under <paramref name="key"/>; fails when it is missing or not a mapping.
    public static IReadOnlyDictionary<object, object> Map(IReadOnlyDictionary<object, object> node, string key)
        => node.TryGetValue(key, out object? value) && value is Dictionary<object, object> map
            ? map
            : throw new KeyNotFoundException($"'{key}' is missing or not a mapping");

    /// The mapping under <paramref name="key"/>, or null when absent.
    public static IReadOnlyDictionary<object, object>? OptionalMap(IReadOnlyDictionary<object, object> node, string key)
        => node.TryGetValue(key, out object? value) ? value as Dictionary<object, object> : null;

    /// The list under <paramref name="key"/> as strings; fails when it is missing or not a list.
    public static IReadOnlyList<string> Strings(IReadOnlyDictionary<object, object> node, string key)
        => node.TryGetValue(key, out object? value) && value is List<object> list
            ? list.Select(v => v.ToString() ?? "").ToList()
            : throw new KeyNotFoundException($"'{key}' is missing or not a list");

    public static IReadOnlyList<object> List(IReadOnlyDictionary<object, object> node, string key)
        => node.TryGetValue(key, out object? value) && value is List<object> list
            ? list
            : throw new KeyNotFoundException($"'{key}' is missing or not a list");

    public static string? Scalar(IReadOnlyDictionary<object, object> node, string key)
        => node.TryGetValue(key, out object? value) ? value?.ToString() : null;

    /// The environment of a service as name → raw value (mapping form or NAME=value list form).
    public static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<object, object> service)
    {
        if (!service.TryGetValue("environment", out object? value))
            return new Dictionary<string, string>();
        return value switch
        {
            Dictionary<object, object> map => map.ToDictionary(kv => kv.Key.ToString()!, kv => kv.Value?.ToString() ?? ""),
            List<object> list => list.Select(e => e.ToString()!.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => throw new FormatException("environment is neither a mapping nor a list"),
        };
    }

    /// A value as compose reads it when none of the variables it names is set: ${VAR:-default} and
    /// ${VAR-default} give the default, ${VAR} and $VAR give "".
    public static string WithDefaults(string value)
        => Regex.Replace(value, @"\$\{(\w+)(:?-([^}]*))?\}|\$(\w+)", m => m.Groups[3].Success ? m.Groups[3].Value : "");

    /// The container side of a "source:target[:mode]" volume or "host:container" port entry.
    public static string ContainerSide(string entry)
    {
        string[] parts = WithDefaults(entry).Split(':');
        return parts.Length switch
        {
            1 => parts[0],
            2 => parts[1],
            _ => parts[^1] is "ro" or "rw" or "z" or "Z" ? parts[^2] : parts[^1],
        };
    }

    /// The source side of a "source:target[:mode]" volume entry (variables at their defaults).
    public static string SourceSide(string entry) => WithDefaults(entry).Split(':')[0];
}
