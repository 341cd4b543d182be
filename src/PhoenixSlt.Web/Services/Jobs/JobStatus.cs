using System.Text.Json.Serialization;

namespace PhoenixSlt.Web.Services.Jobs;

/// Where a job — a training run or a checkpoint evaluation — is in its life: the one status vocabulary of the
/// portal. Stored as lower-case text ("queued", "running", …; <see cref="Data.JobStatusConverter"/>) and serialised
/// the same way. Evaluations never become <see cref="Interrupted"/>: one the portal stopped during is failed (it is
/// evaluated again, not resumed).
[JsonConverter(typeof(JsonStringEnumConverter<JobStatus>))]
public enum JobStatus
{
    /// Waiting for a free slot on its device(s).
    [JsonStringEnumMemberName("queued")] Queued,
    /// A `phoenix-slt` process is working on it.
    [JsonStringEnumMemberName("running")] Running,
    /// Every stage (or the evaluation) finished normally.
    [JsonStringEnumMemberName("completed")] Completed,
    /// Bad settings, a data problem, or the process died; the job's error says why.
    [JsonStringEnumMemberName("failed")] Failed,
    /// Stopped on request (before it started, or its process was stopped).
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// Runs only: the portal stopped while the run was queued or running; Resume continues it from its last checkpoint.
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

public static class JobStatuses
{
    /// "queued", "running", … (as stored and serialised).
    public static string ToText(this JobStatus status) => status.ToString().ToLowerInvariant();

    /// Parses the lower-case (or any case) name; false for anything else.
    public static bool TryParse(string? text, out JobStatus status)
    {
        status = default;
        return !string.IsNullOrWhiteSpace(text) && !int.TryParse(text, out _)
            && Enum.TryParse(text.Trim(), ignoreCase: true, out status) && Enum.IsDefined(status);
    }

    /// The status stored as <paramref name="text"/>; text that names none (a damaged row) reads as failed.
    public static JobStatus FromText(string? text) => TryParse(text, out var status) ? status : JobStatus.Failed;

    /// No process works on the job and none will without a Resume.
    public static bool IsFinal(this JobStatus status) => status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;

    /// Queued or running: Cancel applies.
    public static bool IsActive(this JobStatus status) => status is JobStatus.Queued or JobStatus.Running;

    /// Failed, cancelled and interrupted runs can be resumed (from their last checkpoint when there is one).
    public static bool IsResumable(this JobStatus status) => status is JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;
}
