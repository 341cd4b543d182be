namespace PhoenixSlt.Training;

/// Linear warmup followed by cosine decay (nanoGPT's get_lr, as a multiplier of each group's peak learning rate).
/// For the optimizer step with 0-based index <c>s</c> (W warmup steps, T total steps, floor m):
/// <list type="bullet">
/// <item><c>s &lt; W</c>: (s + 1) / W — the last warmup step reaches the peak;</item>
/// <item><c>W ≤ s &lt; T</c>: m + (1 − m) · ½ · (1 + cos(π · (s − W) / (T − W)));</item>
/// <item><c>s ≥ T</c>: m.</item>
/// </list>
/// Every parameter group gets <c>peak_group · At(s)</c>, so the groups keep their ratio throughout.
public sealed record LearningRateSchedule
{
    public const string Name = "warmup_cosine";

    public LearningRateSchedule(long warmupSteps, long totalSteps, double minRatio = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (!(minRatio >= 0 && minRatio <= 1))
            throw new ArgumentOutOfRangeException(nameof(minRatio), minRatio, "the floor of the schedule must be in [0, 1]");
        WarmupSteps = Math.Min(warmupSteps, totalSteps);
        TotalSteps = totalSteps;
        MinRatio = minRatio;
    }

    public long WarmupSteps { get; }

    public long TotalSteps { get; }

    /// The multiplier after the decay (0 = decay to zero).
    public double MinRatio { get; }

    /// The multiplier of the peak learning rate at 0-based optimizer step <paramref name="step"/>.
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
            return (step + 1) / (double)WarmupSteps;
        if (step >= TotalSteps)
            return MinRatio;
        double progress = (step - WarmupSteps) / (double)(TotalSteps - WarmupSteps);
        return MinRatio + (1 - MinRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// The warmup length used when none is given: 5 % of the run, at least one step.
    public static long DefaultWarmup(long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        return Math.Max(1, (long)Math.Ceiling(totalSteps * 0.05));
    }
}
