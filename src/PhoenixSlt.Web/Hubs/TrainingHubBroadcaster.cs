using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Hubs;

/// Forwards every <see cref="RunUpdate"/> of the <see cref="RunNotifier"/> to the SignalR groups of
/// <see cref="TrainingHub"/>, in order (one sender; the notifier's publisher never waits for the network).
public sealed class TrainingHubBroadcaster(RunNotifier notifier, IHubContext<TrainingHub> hub, ILogger<TrainingHubBroadcaster> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = Channel.CreateUnbounded<RunUpdate>(new UnboundedChannelOptions { SingleReader = true });
        using var subscription = notifier.Subscribe(update => queue.Writer.TryWrite(update));
        try
        {
            await foreach (var update in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                await SendAsync(update, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SendAsync(RunUpdate update, CancellationToken cancellationToken)
    {
        string group = TrainingHub.GroupOf(update.RunId);
        try
        {
            switch (update)
            {
                case RunEventUpdate e:
                    string type = e.Json.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                    await hub.Clients.Group(group).SendAsync(TrainingHub.EventMethod, new TrainingEventMessage(e.RunId, e.Stage, type, e.Json), cancellationToken).ConfigureAwait(false);
                    break;
                case RunLogUpdate l:
                    await hub.Clients.Group(group).SendAsync(TrainingHub.LogMethod,
                        new TrainingLogMessage(l.RunId, l.Line.Id, l.Line.Time, l.Line.Level, l.Line.Text), cancellationToken).ConfigureAwait(false);
                    break;
                case RunSystemUpdate u:
                    await hub.Clients.Group(group).SendAsync(TrainingHub.SystemMethod, new TrainingSystemMessage(u.RunId, u.Stage, u.Step, u.Time, u.Values), cancellationToken).ConfigureAwait(false);
                    break;
                case RunStateUpdate s:
                    await hub.Clients.Groups(group, TrainingHub.AllRunsGroup).SendAsync(TrainingHub.StatusMethod, s.Run, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or HubException)
        {
            logger.LogWarning(e, "Could not send an update of run {RunId} to SignalR clients", update.RunId);
        }
    }
}
