using System.Collections.Concurrent;
using System.ComponentModel;
using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;

namespace PhoenixSlt.Web.Services.Jobs;

/// The job queue of one <see cref="IJobKind{TJob}"/> as a hosted service: at start, recovers what the previous
/// portal left behind; then starts queued jobs (in the kind's order) while a slot of each of their devices is free
/// (<see cref="DeviceSlots"/>, shared by every kind), claims each queued → running, and works on it on its own task
/// until it ends. Wakes on <see cref="Wake"/>, when a device slot is given back, and every two seconds. Cancel
/// requests reach the job's <see cref="ActiveJob"/>; on stop, the jobs in flight see the stopping token and the
/// runner waits for them.
public abstract class JobRunner<TJob> : BackgroundService where TJob : class
{
    /// How long the loop sleeps when nobody wakes it (a missed wake-up costs at most this).
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);

    private readonly IJobKind<TJob> _kind;
    private readonly DatabaseState _database;
    private readonly ILogger _logger;
    private readonly WakeSignal _wake = new();
    private readonly ConcurrentDictionary<int, ActiveJob> _active = new();
    private IDisposable? _slotReleases;

    protected JobRunner(IJobKind<TJob> kind, DeviceSlots slots, DatabaseState database, ILogger logger)
    {
        _kind = kind;
        Slots = slots;
        _database = database;
        _logger = logger;
    }

    /// The device slots of every process the portal starts: a job takes one on each of its devices while it works
    /// and waits in its queue while one of them is full.
    public DeviceSlots Slots { get; }

    /// Ids of the jobs that have a process (or are about to get one) in this portal.
    protected IReadOnlyCollection<int> ActiveIds => [.. _active.Keys];

    /// Look at the queue now (a job was queued or resumed).
    public void Wake() => _wake.Wake();

    /// Stops the process of running job <paramref name="id"/>: SIGTERM, then a kill after the grace period; the job
    /// ends as cancelled. False when this runner does not work on it.
    public bool RequestCancel(int id)
    {
        if (!_active.TryGetValue(id, out var active))
            return false;
        active.Cancel();
        return true;
    }

    /// The process id of running job <paramref name="id"/>, or null when it has none now.
    public int? ProcessIdOf(int id) => _active.TryGetValue(id, out var active) ? active.ProcessId : null;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_database.IsReady)
        {
            _logger.LogError("The {Kind} queue stays idle: {Error}", _kind.Noun, _database.Error ?? "the database was not prepared");
            return;
        }
        await _kind.RecoverAsync(cancellationToken).ConfigureAwait(false);
        _slotReleases = Slots.OnReleased(Wake);                     // e.g. a job of another kind ended
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _slotReleases?.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await TryStartQueuedAsync(stoppingToken).ConfigureAwait(false);
                await _wake.WaitAsync(IdlePoll, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the jobs in flight see the same token.
        }
        finally
        {
            await Task.WhenAll(_active.Values.Select(a => a.Completion)).ConfigureAwait(false);
        }
    }

    private async Task TryStartQueuedAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var job in await _kind.QueuedAsync(stoppingToken).ConfigureAwait(false))
                await TryStartAsync(job, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
        {
            _logger.LogError(e, "Could not start the queued {Kind}s", _kind.Noun);
        }
    }

    /// Takes the slots of <paramref name="queued"/>'s devices, claims it and starts working on it; nothing when it
    /// is in flight already, a device is full, or it is no longer queued.
    private async Task TryStartAsync(TJob queued, CancellationToken stoppingToken)
    {
        int id = _kind.IdOf(queued);
        if (_active.ContainsKey(id) || Slots.TryAcquire(_kind.DevicesOf(queued)) is not { } slots)
            return;
        var active = new ActiveJob(id, slots);
        if (!_active.TryAdd(id, active))
        {
            active.Dispose();
            return;
        }
        TJob? claimed;
        try
        {
            claimed = await _kind.ClaimAsync(id, stoppingToken).ConfigureAwait(false);
        }
        catch
        {
            Forget(active);
            throw;
        }
        if (claimed is null)
        {
            Forget(active);
            return;
        }
        active.Completion = Task.Run(() => WorkAsync(active, claimed, stoppingToken), CancellationToken.None);
    }

    private async Task WorkAsync(ActiveJob active, TJob job, CancellationToken stoppingToken)
    {
        try
        {
            await _kind.RunAsync(active, job, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsJobFailure(e))
        {
            _logger.LogError(e, "Working on {Kind} {Id} failed", _kind.Noun, active.Id);
            await TryFailAsync(active.Id, e).ConfigureAwait(false);
        }
        finally
        {
            Forget(active);                                         // gives the device slots back
            if (!stoppingToken.IsCancellationRequested)
                Wake();
        }
    }

    private async Task TryFailAsync(int id, Exception error)
    {
        try
        {
            await _kind.FailAsync(id, error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
        {
            _logger.LogError(e, "Could not mark {Kind} {Id} failed", _kind.Noun, id);
        }
    }

    private void Forget(ActiveJob active)
    {
        _active.TryRemove(active.Id, out _);
        active.Dispose();
    }

    /// What working on a job may throw without taking the runner down: database, file system, process and
    /// event-stream errors.
    private static bool IsJobFailure(Exception e) =>
        e is DbException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException
            or OperationCanceledException or JsonException or Win32Exception;
}
