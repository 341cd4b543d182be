namespace PhoenixSlt.Training.Events;

/// Decides which progress reports of a pass are worth an event: the first, the last (done = total) and otherwise at
/// most one per <see cref="Interval"/>. Pure: the caller passes the time (e.g. a stopwatch's elapsed time).
public sealed class ProgressThrottle
{
    private TimeSpan? _last;

    /// <param name="interval">The shortest time between two reports in the middle of a pass; zero reports every one.</param>
    public ProgressThrottle(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// True when the report of <paramref name="done"/> of <paramref name="total"/> at <paramref name="now"/> should be
    /// sent (and then counts as the last one sent).
    public bool ShouldReport(TimeSpan now, int done, int total)
    {
        bool report = _last is not TimeSpan last || done >= total || now - last >= Interval;
        if (report)
            _last = now;
        return report;
    }
}
