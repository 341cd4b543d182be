using System.Text.Json.Serialization;

namespace PhoenixSlt.Web.Services.Runs;

/// Where a run is in its life; stored and serialised in lower case ("queued", "running", …).
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// Waiting for a free slot on its device(s).
    [JsonStringEnumMemberName("queued")] Queued,
    /// A `phoenix-slt train` process is working on it.
    [JsonStringEnumMemberName("running")] Running,
    /// Every stage finished normally.
    [JsonStringEnumMemberName("completed")] Completed,
    /// A stage failed (bad settings, data problem, or the process died); <see cref="RunInfo.Error"/> says why.
    [JsonStringEnumMemberName("failed")] Failed,
    /// Stopped on request.
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// The portal stopped while the run was queued or running; Resume continues it from its last checkpoint.
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

public static class RunStatuses
{
    /// "queued", "running", …
    public static string ToText(this RunStatus status) => status.ToString().ToLowerInvariant();

    /// Parses the lower-case (or any case) name; false for anything else.
    public static bool TryParse(string? text, out RunStatus status)
    {
        status = default;
        return !string.IsNullOrWhiteSpace(text) && !int.TryParse(text, out _)
            && Enum.TryParse(text.Trim(), ignoreCase: true, out status) && Enum.IsDefined(status);
    }

    /// No process works on the run and none will without a Resume.
    public static bool IsFinal(this RunStatus status) => status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;

    /// Queued or running: Cancel applies.
    public static bool IsActive(this RunStatus status) => status is RunStatus.Queued or RunStatus.Running;

    /// Failed, cancelled and interrupted runs can be resumed (from their last checkpoint when there is one).
    public static bool IsResumable(this RunStatus status) => status is RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;
}
