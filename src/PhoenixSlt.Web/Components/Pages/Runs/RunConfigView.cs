using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// One row of the settings table of a run: the label, the `phoenix-slt train` flag, the value (what empty means
/// when it is empty) and whether it differs from the default.
public sealed record ConfigRow(string Name, string Label, string Option, string Value, bool IsDefault);

/// The resolved run spec as the Run detail page lists it: every field of the spec's field table.
public static class RunConfigView
{
    public static IReadOnlyList<ConfigRow> Rows(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [.. RunSpecFields.All.Select(field =>
        {
            object? value = field.Get(spec);
            return new ConfigRow(field.Name, field.Label, field.IsArgument ? "" : field.Flag, RunComparison.ValueText(field, value), Equals(value, field.Default));
        })];
    }
}
