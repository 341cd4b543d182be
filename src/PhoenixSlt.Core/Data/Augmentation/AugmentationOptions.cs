namespace PhoenixSlt.Core.Data.Augmentation;

/// Strengths of the training-time augmentations of a clip (<see cref="FeatureAugmenter"/>). Each technique has one
/// strength; 0 turns it off, and all 0 (<see cref="None"/>) leaves a clip bit-identical.
public sealed record AugmentationOptions
{
    /// Largest rotation of the skeleton in the x–y plane, in degrees: the angle is uniform in ±this (0–180).
    public double RotationDegrees { get; init; }

    /// Largest relative change of the skeleton's size: the factor is uniform in 1 ± this (0 ≤ scale &lt; 1).
    public double Scale { get; init; }

    /// Largest shift of the skeleton in x and in y, in normalised units (shoulder widths): uniform in ±this.
    public double Shift { get; init; }

    /// Speed jitter: both streams are resampled to r times their length, r uniform in 1 ± this (0 ≤ speed &lt; 1).
    public double Speed { get; init; }

    /// Probability that a keypoint frame is dropped (0 ≤ p &lt; 1); at least one frame is always kept.
    public double FrameDrop { get; init; }

    /// Probability, per clip and per hand, that the whole hand is removed (made untracked) in every frame (0–1).
    public double HandDrop { get; init; }

    /// No augmentation.
    public static AugmentationOptions None { get; } = new();

    /// True when every strength is 0.
    public bool IsIdentity => RotationDegrees == 0 && Scale == 0 && Shift == 0 && Speed == 0 && FrameDrop == 0 && HandDrop == 0;

    /// True when a technique that changes the time axis (speed jitter, frame drop) is on.
    public bool ChangesTime => Speed > 0 || FrameDrop > 0;

    /// True when a technique that moves the joints (rotation, scale, shift) is on.
    public bool MovesJoints => RotationDegrees > 0 || Scale > 0 || Shift > 0;

    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first strength outside its range.
    public AugmentationOptions Validated()
    {
        Check(RotationDegrees, 0, 180, false, nameof(RotationDegrees));
        Check(Scale, 0, 1, true, nameof(Scale));
        Check(Shift, 0, double.MaxValue, false, nameof(Shift));
        Check(Speed, 0, 1, true, nameof(Speed));
        Check(FrameDrop, 0, 1, true, nameof(FrameDrop));
        Check(HandDrop, 0, 1, false, nameof(HandDrop));
        return this;
    }

    private static void Check(double value, double min, double max, bool maxExclusive, string name)
    {
        if (!double.IsFinite(value) || value < min || value > max || (maxExclusive && value >= max))
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be from {min} {(maxExclusive ? "and below" : "to")} {max}");
    }
}
