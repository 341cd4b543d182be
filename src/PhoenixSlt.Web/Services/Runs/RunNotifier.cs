using System.Text.Json;
using PhoenixSlt.Training.Events;

namespace PhoenixSlt.Web.Services.Runs;

/// Something happened to a run; pages pattern-match on the subtypes.
public abstract record RunUpdate(int RunId);

/// A progress event of the run's CLI process (docs/EVENTS.md), typed and as the raw JSON object of the stream.
public sealed record RunEventUpdate(int RunId, string Stage, ProgressEvent Event, JsonElement Json) : RunUpdate(RunId);

/// The run's state changed (status, stage, progress, best metric): its new <see cref="RunInfo"/>.
public sealed record RunStateUpdate(RunInfo Run) : RunUpdate(Run.Id);

/// A new line in the run's log.
public sealed record RunLogUpdate(int RunId, RunLogEntry Line) : RunUpdate(RunId);

/// Hands run updates to in-process subscribers (Blazor pages, the SignalR broadcaster). Subscriptions are
/// IDisposable; handlers run on the publisher's thread, so components call back through InvokeAsync. A handler
/// that throws does not stop the others.
public sealed class RunNotifier(ILogger<RunNotifier> logger)
{
    private readonly Lock _gate = new();
    private readonly List<(int? RunId, Action<RunUpdate> Handler)> _handlers = [];

    /// Every update of every run (e.g. the Runs page).
    public IDisposable Subscribe(Action<RunUpdate> handler) => Add(null, handler);

    /// The updates of run <paramref name="runId"/> (e.g. the Run detail page).
    public IDisposable Subscribe(int runId, Action<RunUpdate> handler) => Add(runId, handler);

    public void Publish(RunUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        (int? RunId, Action<RunUpdate> Handler)[] handlers;
        lock (_gate)
            handlers = [.. _handlers];
        foreach (var (runId, handler) in handlers)
        {
            if (runId is int only && only != update.RunId)
                continue;
            try
            {
                handler(update);
            }
            catch (Exception e)
            {
                // A subscriber's bug must not stop the supervisor that publishes, nor the other subscribers.
                logger.LogWarning(e, "A subscriber of run {RunId} failed to handle {Update}", update.RunId, update.GetType().Name);
            }
        }
    }

    private IDisposable Add(int? runId, Action<RunUpdate> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var entry = (runId, handler);
        lock (_gate)
            _handlers.Add(entry);
        return new Subscription(() =>
        {
            lock (_gate)
                _handlers.Remove(entry);
        });
    }

    private sealed class Subscription(Action remove) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                remove();
        }
    }
}
