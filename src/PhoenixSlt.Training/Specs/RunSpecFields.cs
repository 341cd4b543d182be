using System.Reflection;

namespace PhoenixSlt.Training.Specs;

/// The field table of <see cref="RunSpec"/>: every property with a <see cref="SpecFieldAttribute"/>, in declaration
/// order. Flags, JSON, validation, the form and the run page are generated from it.
public static class RunSpecFields
{
    public static IReadOnlyList<SpecField> All { get; } = Build();

    private static readonly Dictionary<string, SpecField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, SpecField> ByProperty = All.ToDictionary(f => f.PropertyName, StringComparer.Ordinal);

    /// The field of a JSON name (snake_case), or null.
    public static SpecField? Find(string name) => ByName.GetValueOrDefault(name);

    /// The field of a <see cref="RunSpec"/> property name (e.g. "BatchSize"), or null.
    public static SpecField? FindByProperty(string propertyName) => ByProperty.GetValueOrDefault(propertyName);

    /// The field of a JSON name; <see cref="ArgumentException"/> for an unknown one (a programming error).
    public static SpecField Get(string name) => Find(name) ?? throw new ArgumentException($"no run-spec field '{name}'", nameof(name));

    private static List<SpecField> Build()
    {
        var defaults = new RunSpec();
        return [.. typeof(RunSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<SpecFieldAttribute>() is not null)
            .OrderBy(p => p.MetadataToken)
            .Select(p => new SpecField(p, p.GetCustomAttribute<SpecFieldAttribute>()!, p.GetValue(defaults)))];
    }
}

/// Resolution of a spec's folder fields.
public static class RunSpecPaths
{
    /// <paramref name="spec"/> with every path field (data, out, init, mbart) made absolute against the working
    /// directory, and empty texts as null.
    public static RunSpec WithAbsolutePaths(this RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var resolved = spec with { };
        foreach (var field in RunSpecFields.All.Where(f => f.IsPath))
        {
            string? path = field.Get(spec) as string;
            field.Set(resolved, string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path.Trim()));
        }
        return resolved;
    }
}
