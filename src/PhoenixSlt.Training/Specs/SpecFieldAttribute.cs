namespace PhoenixSlt.Training.Specs;

/// Marks a <see cref="RunSpec"/> property as a setting of a training run: its help text and its limits. The JSON
/// name (snake_case) and the command-line flag (--kebab-case) are derived from the property name, the default is the
/// property's initial value. Everything else (CLI options, JSON, validation, the portal's form and run page) is
/// generated from these attributes through <see cref="RunSpecFields"/>.
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class SpecFieldAttribute(string help) : Attribute
{
    /// What the setting does, for --help and the form (one sentence, no default: that is added).
    public string Help { get; } = help;

    /// A short label for the form and the run page; empty: derived from the name.
    public string? Label { get; init; }

    /// The placeholder in --help (DIR, N, X, …).
    public string? HelpName { get; init; }

    /// What an empty value (null) means, e.g. "every epoch"; only for optional settings.
    public string? EmptyMeans { get; init; }

    /// Smallest allowed number (NaN: no lower limit).
    public double Min { get; init; } = double.NaN;

    /// True when the value must be strictly above <see cref="Min"/>.
    public bool MinExclusive { get; init; }

    /// Largest allowed number (NaN: no upper limit).
    public double Max { get; init; } = double.NaN;

    /// True when the value must be strictly below <see cref="Max"/>.
    public bool MaxExclusive { get; init; }

    /// Name of a static <c>IReadOnlyList&lt;string&gt;</c> property of <see cref="RunSpec"/> with the allowed values.
    public string? Choices { get; init; }

    /// Longest allowed text (0: no limit).
    public int MaxLength { get; init; }

    /// A folder path: made absolute when the spec is resolved.
    public bool IsPath { get; init; }

    /// Given as the positional argument of <c>train</c> (also accepted as its flag).
    public bool IsArgument { get; init; }

    /// Where the form shows the setting: a section title of the New-run page ("Advanced" when empty).
    public string? Section { get; init; }
}
