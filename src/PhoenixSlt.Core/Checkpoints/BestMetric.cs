using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// The best validation value seen so far by a training run (used for early stopping and "best" checkpoints).
/// <param name="Name">Metric name, e.g. "bleu4".</param>
/// <param name="Value">Its best value.</param>
/// <param name="Step">Optimizer step at which it was reached.</param>
/// <param name="HigherIsBetter">False for losses.</param>
public sealed record BestMetric(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("higher_is_better")] bool HigherIsBetter = true)
{
    /// True when <paramref name="candidate"/> beats <see cref="Value"/> in this metric's direction.
    public bool IsImprovedBy(double candidate)
        => !double.IsNaN(candidate) && (double.IsNaN(Value) || (HigherIsBetter ? candidate > Value : candidate < Value));
}
