using System.Text.Json.Serialization;

namespace PhoenixSlt.Training.Amp;

/// Settings of the dynamic loss scaling, with torch.amp.GradScaler's defaults (JSON names as in its state_dict).
public sealed record GradScalerOptions
{
    /// Scale of the first step: 2^16.
    [JsonPropertyName("init_scale")]
    public double InitScale { get; init; } = 65536.0;

    /// Factor applied after <see cref="GrowthInterval"/> consecutive steps without inf/NaN gradients.
    [JsonPropertyName("growth_factor")]
    public double GrowthFactor { get; init; } = 2.0;

    /// Factor applied when a step had inf/NaN gradients (and was skipped).
    [JsonPropertyName("backoff_factor")]
    public double BackoffFactor { get; init; } = 0.5;

    /// Consecutive clean steps before the scale grows.
    [JsonPropertyName("growth_interval")]
    public int GrowthInterval { get; init; } = 2000;

    public static GradScalerOptions Default { get; } = new();

    /// Checks every value; <see cref="ArgumentException"/> naming the field, the value and the rule.
    public GradScalerOptions Validate()
    {
        if (!(InitScale > 0) || !float.IsFinite((float)InitScale))
            throw Invalid("init_scale", InitScale, "must be a positive number within float32 range");
        if (!(GrowthFactor > 1) || !double.IsFinite(GrowthFactor))
            throw Invalid("growth_factor", GrowthFactor, "must be a finite number > 1");
        if (!(BackoffFactor > 0 && BackoffFactor < 1))
            throw Invalid("backoff_factor", BackoffFactor, "must be in (0, 1)");
        if (GrowthInterval <= 0)
            throw Invalid("growth_interval", GrowthInterval, "must be a positive integer");
        return this;
    }

    private static ArgumentException Invalid(string field, object value, string rule)
        => new($"grad scaler: {field} = {value} {rule}");
}
