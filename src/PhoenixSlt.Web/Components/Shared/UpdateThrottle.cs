using System.Collections.Concurrent;

namespace PhoenixSlt.Web.Components.Shared;

/// Collects items posted from any thread (e.g. run events from a notifier) and hands them over in batches at most
/// once per <see cref="Interval"/>, so a fast event stream costs one render per interval instead of one per event.
/// The first item after a quiet period starts the interval; items keep their posting order. The flush callback
/// runs on a thread-pool thread: components wrap their work in InvokeAsync.
public sealed class UpdateThrottle<T> : IDisposable
{
    private readonly ConcurrentQueue<T> _pending = new();
    private readonly Func<IReadOnlyList<T>, Task> _flush;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _disposed = new();
    private int _scheduled;

    public UpdateThrottle(TimeSpan interval, Func<IReadOnlyList<T>, Task> flush, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(flush);
        Interval = interval;
        _flush = flush;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan Interval { get; }

    /// Adds <paramref name="item"/> to the next batch; ignored after <see cref="Dispose"/>.
    public void Post(T item)
    {
        if (_disposed.IsCancellationRequested)
            return;
        _pending.Enqueue(item);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
            _ = FlushLaterAsync();
    }

    private async Task FlushLaterAsync()
    {
        try
        {
            await Task.Delay(Interval, _time, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return; // disposed while waiting
        }
        // Items posted from here on schedule the next batch.
        Volatile.Write(ref _scheduled, 0);
        var batch = new List<T>();
        while (_pending.TryDequeue(out T? item))
            batch.Add(item);
        if (batch.Count == 0 || _disposed.IsCancellationRequested)
            return;
        try
        {
            await _flush(batch).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // the owner (e.g. a component's renderer) went away between the check and the flush
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
