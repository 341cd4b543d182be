using Microsoft.Extensions.Options;

namespace PhoenixSlt.Web.Services.Runs;

/// Starts queued runs as `phoenix-slt train` processes (never training in the portal's process), reads their
/// event streams, persists and broadcasts the events, enforces cancellation and marks runs whose process is gone.
public sealed partial class TrainingSupervisor(IOptions<TrainingOptions> options, ILogger<TrainingSupervisor> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    /// Look at the queue now (a run was queued or resumed).
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
            _wake.Release();
    }

    /// Stop the process of running run <paramref name="runId"/>: SIGINT, then a kill after the grace period.
    public void RequestCancel(int runId)
    {
        logger.LogInformation("Cancel requested for run {RunId}", runId);
        Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
            await _wake.WaitAsync(options.Value.PollInterval * 5, stoppingToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
