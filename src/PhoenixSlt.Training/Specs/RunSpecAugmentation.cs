using PhoenixSlt.Core.Data.Augmentation;

namespace PhoenixSlt.Training.Specs;

/// The augmentation settings of a <see cref="RunSpec"/> (section "Augmentation").
public static class RunSpecAugmentation
{
    /// The strengths the visual phases augment their training clips with: null when <see cref="RunSpec.Augment"/> is
    /// off or every strength is 0.
    public static AugmentationOptions? Augmentation(this RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.Augment)
            return null;
        var options = new AugmentationOptions
        {
            RotationDegrees = spec.AugRotation,
            Scale = spec.AugScale,
            Shift = spec.AugShift,
            Speed = spec.AugSpeed,
            FrameDrop = spec.AugFrameDrop,
            HandDrop = spec.AugHandDrop,
        };
        return options.IsIdentity ? null : options;
    }

    /// How the described configuration of a <paramref name="phase"/> run records the augmentation: "off" (always for
    /// the text phase), or the strength of each technique.
    public static object DescribeAugmentation(this RunSpec spec, TrainingPhase phase)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return phase != TrainingPhase.Text && spec.Augmentation() is { } options
            ? new Dictionary<string, double>
            {
                ["rotation_degrees"] = options.RotationDegrees,
                ["scale"] = options.Scale,
                ["shift"] = options.Shift,
                ["speed"] = options.Speed,
                ["frame_drop"] = options.FrameDrop,
                ["hand_drop"] = options.HandDrop,
            }
            : "off";
    }
}
