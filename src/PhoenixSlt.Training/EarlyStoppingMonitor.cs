using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Training;

/// What one evaluation meant for early stopping.
/// <param name="IsBest">The value beats every earlier one (the best checkpoint should be replaced).</param>
/// <param name="ShouldStop">Patience is exhausted: this many evaluations in a row brought no improvement.</param>
public readonly record struct EarlyStoppingDecision(bool IsBest, bool ShouldStop);

/// Early stopping with patience on one validation metric: training stops after <see cref="Patience"/>
/// evaluations in a row without improvement. NaN never improves. Pure bookkeeping, no tensors.
public sealed class EarlyStoppingMonitor
{
    /// <param name="metric">Name of the watched metric, e.g. "bleu4" or "val_loss".</param>
    /// <param name="higherIsBetter">False for losses.</param>
    /// <param name="patience">Evaluations without improvement that stop training; null never stops.</param>
    /// <param name="minDelta">An improvement must beat the best value by more than this.</param>
    public EarlyStoppingMonitor(string metric, bool higherIsBetter, int? patience, double minDelta = 0.0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        if (patience is int p)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p, nameof(patience));
        if (!(minDelta >= 0))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "the minimum improvement must be 0 or more");
        Metric = metric;
        HigherIsBetter = higherIsBetter;
        Patience = patience;
        MinDelta = minDelta;
    }

    public string Metric { get; }

    public bool HigherIsBetter { get; }

    public int? Patience { get; }

    public double MinDelta { get; }

    /// The best value so far (null before the first finite value).
    public BestMetric? Best { get; private set; }

    /// Evaluations since the last improvement.
    public int EvaluationsWithoutImprovement { get; private set; }

    /// True once <see cref="Update"/> asked to stop.
    public bool Stopped { get; private set; }

    /// Records the metric of the evaluation at optimizer step <paramref name="step"/>.
    public EarlyStoppingDecision Update(double value, long step)
    {
        bool improved = !double.IsNaN(value) && (Best is null || Beats(value, Best.Value));
        if (improved)
        {
            Best = new BestMetric(Metric, value, step, HigherIsBetter);
            EvaluationsWithoutImprovement = 0;
        }
        else
        {
            EvaluationsWithoutImprovement++;
        }
        Stopped = Patience is int p && EvaluationsWithoutImprovement >= p;
        return new EarlyStoppingDecision(improved, Stopped);
    }

    /// Restores the bookkeeping of an earlier run (for resuming).
    public void Restore(BestMetric? best, int evaluationsWithoutImprovement)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(evaluationsWithoutImprovement);
        if (best is not null && (best.Name != Metric || best.HigherIsBetter != HigherIsBetter))
            throw new ArgumentException($"the saved best metric is {best.Name} ({(best.HigherIsBetter ? "higher" : "lower")} is better) but this run watches {Metric}", nameof(best));
        Best = best;
        EvaluationsWithoutImprovement = evaluationsWithoutImprovement;
        Stopped = Patience is int p && evaluationsWithoutImprovement >= p;
    }

    private bool Beats(double candidate, double best)
        => HigherIsBetter ? candidate > best + MinDelta : candidate < best - MinDelta;
}
