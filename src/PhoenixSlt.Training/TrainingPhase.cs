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

public static class TrainingPhaseNames
{
    public static IReadOnlyList<string> All { get; } = ["text", "vlp", "slt"];

    public static string ToName(this TrainingPhase phase) => phase switch
    {
        TrainingPhase.Text => "text",
        TrainingPhase.Vlp => "vlp",
        TrainingPhase.Slt => "slt",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };

    /// Parses text|vlp|slt (case-insensitive).
    public static TrainingPhase Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "text" => TrainingPhase.Text,
        "vlp" => TrainingPhase.Vlp,
        "slt" => TrainingPhase.Slt,
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
