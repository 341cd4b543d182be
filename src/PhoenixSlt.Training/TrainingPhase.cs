using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Training;

/// The three training phases of the pipeline: text → vlp → slt.
public enum TrainingPhase
{
    /// mBART denoising pre-training on the corpus sentences.
    Text,

    /// Visual-language contrastive pre-training of the fusion encoder.
    Vlp,

    /// Sign-language translation.
    Slt,
}

/// The phase vocabulary: the names of the training phases and of the run kinds (a phase, or the pipeline of all three).
public static class TrainingPhaseNames
{
    public const string Text = "text";
    public const string Vlp = "vlp";
    public const string Slt = "slt";

    /// A run of the three phases in order, each starting from the previous one's best checkpoint.
    public const string Pipeline = "pipeline";

    /// The phases `train` can run alone.
    public static IReadOnlyList<string> All { get; } = [Text, Vlp, Slt];

    /// What a run can train: a phase or the pipeline, in the order the New-run form lists them.
    public static IReadOnlyList<string> RunKinds { get; } = [Text, Vlp, Slt, Pipeline];

    public static bool IsRunKind(string? kind) => kind is not null && RunKinds.Contains(kind, StringComparer.Ordinal);

    /// The phases a run of <paramref name="kind"/> goes through, in order (one, or three for the pipeline).
    public static IReadOnlyList<string> StagesOf(string kind) => kind switch
    {
        Pipeline => All,
        Text or Vlp or Slt => [kind],
        _ => throw new ArgumentException($"phase '{kind}' is not one of {string.Join(", ", RunKinds)}", nameof(kind)),
    };

    /// A short label for tables: "text", "vlp", "slt" or "text → vlp → slt".
    public static string Describe(string kind) => kind == Pipeline ? "text → vlp → slt" : kind;

    public static string ToName(this TrainingPhase phase) => phase switch
    {
        TrainingPhase.Text => Text,
        TrainingPhase.Vlp => Vlp,
        TrainingPhase.Slt => Slt,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };

    /// Parses text|vlp|slt (case-insensitive).
    public static TrainingPhase Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        Text => TrainingPhase.Text,
        Vlp => TrainingPhase.Vlp,
        Slt => TrainingPhase.Slt,
        _ => throw new TrainingConfigurationException($"unknown phase '{text}'; use text, vlp or slt"),
    };

    /// The checkpoint phase this training phase writes.
    public static CheckpointPhase ToCheckpointPhase(this TrainingPhase phase) => phase switch
    {
        TrainingPhase.Text => CheckpointPhase.Text,
        TrainingPhase.Vlp => CheckpointPhase.Vlp,
        TrainingPhase.Slt => CheckpointPhase.Slt,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };
}
