namespace PhoenixSlt.Training.Events;

/// Receives the progress events of a training run (only rank 0 reports). Implementations must not throw for
/// display problems; they are called on the training thread, so they should be quick.
public interface IProgressSink
{
    void Report(ProgressEvent progressEvent);
}

/// Discards every event.
public sealed class NullProgressSink : IProgressSink
{
    public static NullProgressSink Instance { get; } = new();

    public void Report(ProgressEvent progressEvent)
    {
    }
}

/// Forwards every event to several sinks in order.
public sealed class CompositeProgressSink(params IProgressSink[] sinks) : IProgressSink
{
    private readonly IProgressSink[] _sinks = sinks ?? throw new ArgumentNullException(nameof(sinks));

    public void Report(ProgressEvent progressEvent)
    {
        foreach (var sink in _sinks)
            sink.Report(progressEvent);
    }
}

/// Keeps every event in memory (tests, the in-process portal preview).
public sealed class RecordingProgressSink : IProgressSink
{
    private readonly List<ProgressEvent> _events = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<ProgressEvent> Events
    {
        get
        {
            lock (_gate)
                return [.. _events];
        }
    }

    public void Report(ProgressEvent progressEvent)
    {
        ArgumentNullException.ThrowIfNull(progressEvent);
        lock (_gate)
            _events.Add(progressEvent);
    }
}
