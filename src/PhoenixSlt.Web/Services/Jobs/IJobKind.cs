namespace PhoenixSlt.Web.Services.Jobs;

/// One kind of job a <see cref="JobRunner{TJob}"/> runs (training runs, checkpoint evaluations): where its queue
/// is, how a job is claimed, and what working on one means. The runner owns the loop, the device slots, the
/// cancel requests and the bookkeeping of the jobs in flight.
public interface IJobKind<TJob> where TJob : class
{
    /// "run", "evaluation": for log messages.
    string Noun { get; }

    /// At start, before the queue is looked at: what to do with the jobs a previous portal left behind.
    Task RecoverAsync(CancellationToken cancellationToken);

    /// The queued jobs, in the order they should start.
    Task<IReadOnlyList<TJob>> QueuedAsync(CancellationToken cancellationToken);

    int IdOf(TJob job);

    /// The devices the job takes one slot on each of while it works.
    IReadOnlyCollection<string> DevicesOf(TJob job);

    /// queued → running, unless someone changed the job meanwhile (e.g. cancelled it): the claimed job, or null.
    Task<TJob?> ClaimAsync(int id, CancellationToken cancellationToken);

    /// Works on a claimed job to its end (processes, output, results) and records how it ended.
    Task RunAsync(ActiveJob active, TJob job, CancellationToken stoppingToken);

    /// Records that the job failed because the portal could not work on it (<paramref name="error"/> was thrown).
    Task FailAsync(int id, Exception error);
}
