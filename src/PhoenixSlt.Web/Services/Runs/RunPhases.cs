namespace PhoenixSlt.Web.Services.Runs;

/// What a run trains: one phase of `phoenix-slt train`, or the full pipeline text → vlp → slt as three stages.
public static class RunPhases
{
    public const string Text = "text";
    public const string Vlp = "vlp";
    public const string Slt = "slt";
    public const string Pipeline = "pipeline";

    /// Every phase a run can have, in the order the New-run form lists them.
    public static IReadOnlyList<string> All { get; } = [Text, Vlp, Slt, Pipeline];

    /// The `phoenix-slt train` phases the run goes through, in order (one for a single phase, three for the pipeline).
    public static IReadOnlyList<string> StagesOf(string phase) => phase switch
    {
        Pipeline => [Text, Vlp, Slt],
        Text or Vlp or Slt => [phase],
        _ => throw new ArgumentException($"phase '{phase}' is not one of {string.Join(", ", All)}", nameof(phase)),
    };

    public static bool IsKnown(string? phase) => phase is not null && All.Contains(phase, StringComparer.Ordinal);

    /// A short label for tables: "text", "vlp", "slt" or "text → vlp → slt".
    public static string Describe(string phase) => phase == Pipeline ? "text → vlp → slt" : phase;
}
