namespace PhoenixSlt.Web.Services.Jobs;

/// A job (run or evaluation) this portal is working on: the slots of its devices (given back on dispose), its
/// process id while one runs, and its cancel request.
public sealed class ActiveJob(int id, IDisposable slots) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private volatile int _processId;

    /// The run's or evaluation's id.
    public int Id { get; } = id;

    /// The task working on it (awaited when the portal stops).
    public Task Completion { get; set; } = Task.CompletedTask;

    public bool CancelRequested => _cancel.IsCancellationRequested;

    /// Cancelled when the user asks to cancel (wakes the supervising loop at once).
    public CancellationToken CancelToken => _cancel.Token;

    /// The id of its process, or null when it has none now.
    public int? ProcessId
    {
        get => _processId == 0 ? null : _processId;
        set => _processId = value ?? 0;
    }

    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }

    public void Dispose()
    {
        _cancel.Dispose();
        slots.Dispose();
    }
}
