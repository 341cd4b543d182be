using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// What a training stage does while its process runs: tails the stage's event file (from where it ends now, so an
/// earlier attempt's lines are skipped) and the process's output into the run's journal, and logs what a cancel did.
internal sealed class StageWatch(RunJournal journal, int runId, PipelineStage stage, ProcessOutput output) : IProcessWatch
{
    private readonly EventFileReader _events = new(stage.EventsFile, EventFileReader.CurrentLength(stage.EventsFile));

    /// How the stage's event stream ended so far.
    public StageEnd End { get; } = new();

    public Task PollAsync() => journal.PumpAsync(runId, stage.Phase, _events.ReadNewLines(), output.Drain(), End);

    public Task StopRequestedAsync(int processId, bool signalled, TimeSpan grace)
        => journal.AddLogAsync(runId, RunJournal.Info, signalled
            ? $"Cancel: asked process {processId} to stop (SIGTERM); it is killed if still running after {grace.TotalSeconds:0.#} s."
            : $"Cancel: process {processId} was killed.");

    public Task KilledAfterGraceAsync(int processId, TimeSpan grace)
        => journal.AddLogAsync(runId, RunJournal.Warning, $"Cancel: process {processId} did not stop within {grace.TotalSeconds:0.#} s and was killed.");
}
