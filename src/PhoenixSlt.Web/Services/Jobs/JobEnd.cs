namespace PhoenixSlt.Web.Services.Jobs;

/// How a job ended: its final status and, for a failed or interrupted one, why (for the user).
public sealed record JobEnd(JobStatus Status, string? Error = null)
{
    public static JobEnd Completed { get; } = new(JobStatus.Completed);

    public static JobEnd Cancelled { get; } = new(JobStatus.Cancelled);

    public static JobEnd Failed(string error) => new(JobStatus.Failed, error);

    public static JobEnd Interrupted(string error) => new(JobStatus.Interrupted, error);
}
