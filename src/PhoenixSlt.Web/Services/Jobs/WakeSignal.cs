namespace PhoenixSlt.Web.Services.Jobs;

/// Wakes a background loop early (a run or an evaluation was queued, a device slot was freed): <see cref="Wake"/>
/// from any thread, the loop awaits <see cref="WaitAsync"/> with its polling interval. Wakes before the loop looks
/// again count as one; wakes after disposal are ignored.
public sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0);

    public void Wake()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
                _semaphore.Release();
        }
        catch (ObjectDisposedException)
        {
            // The loop stopped.
        }
    }

    /// True when woken, false when <paramref name="timeout"/> passed.
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
