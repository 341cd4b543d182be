using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace PhoenixSlt.Web.Hubs;

/// SignalR hub at <see cref="Route"/> (docs/EVENTS.md, "SignalR hub"). Clients join a run's group to receive its
/// progress events (<see cref="EventMethod"/>, the JSON object of the worker stream), its log lines
/// (<see cref="LogMethod"/>) and its state (<see cref="StatusMethod"/>); <see cref="JoinAllRuns"/> subscribes to the
/// state changes of every run (for run lists).
public sealed class TrainingHub : Hub
{
    public const string Route = "/hubs/training";

    /// Client method receiving <see cref="TrainingEventMessage"/>.
    public const string EventMethod = "event";

    /// Client method receiving a <see cref="Services.Runs.RunInfo"/> whenever the run's status, stage, progress or
    /// best result changes.
    public const string StatusMethod = "status";

    /// Client method receiving <see cref="TrainingLogMessage"/>.
    public const string LogMethod = "log";

    /// Client method receiving <see cref="TrainingSystemMessage"/>: a sample of the run's system metrics.
    public const string SystemMethod = "system";

    public const string AllRunsGroup = "runs";

    public static string GroupOf(int runId) => $"run-{runId}";

    /// Receive the events, log lines and state changes of run <paramref name="runId"/>.
    public Task JoinRun(int runId) => Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(runId));

    public Task LeaveRun(int runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(runId));

    /// Receive the state changes of every run.
    public Task JoinAllRuns() => Groups.AddToGroupAsync(Context.ConnectionId, AllRunsGroup);

    public Task LeaveAllRuns() => Groups.RemoveFromGroupAsync(Context.ConnectionId, AllRunsGroup);
}

/// Payload of the "event" method: the run, its stage (text, vlp or slt), the event's type and the event as the
/// worker wrote it (same schema as the JSON-lines stream).
public sealed record TrainingEventMessage(int RunId, string Stage, string Type, JsonElement Event);

/// Payload of the "log" method: one line of the run's log (level info, warning or error).
/// A sample of a run's system metrics (values by Services.Runs.SystemMetricNames: sys_cpu_percent, sys_rss_mib, …).
public sealed record TrainingSystemMessage(int RunId, string Stage, long Step, DateTime Time, IReadOnlyDictionary<string, double> Values);

public sealed record TrainingLogMessage(int RunId, long Id, DateTime Time, string Level, string Text);
