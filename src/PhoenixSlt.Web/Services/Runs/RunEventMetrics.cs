using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Events;

namespace PhoenixSlt.Web.Services.Runs;

/// One metric value a progress event carries, at the event's step.
public readonly record struct EventMetric(long Step, int Epoch, string Name, double Value);

/// The one mapping of progress events (docs/EVENTS.md) to metric points, shared by what the portal stores
/// (<see cref="RunEventIngestor"/>) and what the run page draws live (<c>RunMetricsModel</c>).
public static class RunEventMetrics
{
    /// The metric points of <paramref name="progressEvent"/>: <see cref="MetricNames.Loss"/>,
    /// <see cref="MetricNames.LearningRatePrefix"/>&lt;group&gt; and <see cref="MetricNames.SamplesPerSecond"/> of a
    /// step event; every entry of an eval event's metrics; none for other events. Values that are not finite are
    /// left out.
    public static IReadOnlyList<EventMetric> Of(ProgressEvent progressEvent)
    {
        ArgumentNullException.ThrowIfNull(progressEvent);
        IEnumerable<EventMetric> points = progressEvent switch
        {
            StepEvent step => OfStep(step),
            EvalEvent eval => eval.Metrics.Select(m => new EventMetric(eval.Step, eval.Epoch, m.Key, m.Value)),
            _ => [],
        };
        return [.. points.Where(p => double.IsFinite(p.Value))];
    }

    private static IEnumerable<EventMetric> OfStep(StepEvent step)
    {
        if (step.Loss is double loss)
            yield return new EventMetric(step.Step, step.Epoch, MetricNames.Loss, loss);
        foreach (var (group, rate) in step.Lr)
            yield return new EventMetric(step.Step, step.Epoch, MetricNames.LearningRate(group), rate);
        yield return new EventMetric(step.Step, step.Epoch, MetricNames.SamplesPerSecond, step.SamplesPerS);
    }
}
