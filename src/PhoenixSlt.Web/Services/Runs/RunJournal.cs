using PhoenixSlt.Training.Specs;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// What the training job kind writes about a run: its row, its log lines and its metric points (through
/// <see cref="RunEventIngestor"/>), each change saved to Sqlite first and then published on the
/// <see cref="RunNotifier"/>.
internal sealed class RunJournal(IDbContextFactory<PhoenixDbContext> contexts, RunNotifier notifier, TimeProvider time, ILogger logger)
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";

    /// Persists new event lines of <paramref name="stage"/> and new output lines in one transaction, records how the
    /// event stream ended in <paramref name="end"/>, and publishes them.
    public async Task PumpAsync(int runId, string stage, IReadOnlyList<string> eventLines, IReadOnlyList<OutputLine> output, StageEnd end)
    {
        if (eventLines.Count == 0 && output.Count == 0)
            return;
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        var events = new List<RunEventUpdate>();
        var logLines = new List<RunLogLine>();
        foreach (string line in eventLines)
        {
            if (RunEventIngestor.TryParse(line, out string? problem) is not { } parsed)
            {
                logLines.Add(NewLine(runId, Warning, $"Unreadable event line ({problem}): {Truncate(line, 300)}"));
                continue;
            }
            await RunEventIngestor.ApplyAsync(db, run, stage, parsed.Event, end).ConfigureAwait(false);
            events.Add(new RunEventUpdate(runId, stage, parsed.Event, parsed.Json));
        }
        logLines.AddRange(output.Select(o => new RunLogLine { RunId = runId, Time = o.Time, Level = LevelOf(o), Text = o.Text }));
        db.RunLogLines.AddRange(logLines);
        await db.SaveChangesAsync().ConfigureAwait(false);
        foreach (var update in events)
            notifier.Publish(update);
        PublishLines(runId, logLines);
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    /// A stage's process started: the run's stage, process and attempt count (progress reset unless it resumes).
    public async Task StageStartedAsync(int runId, PipelineStage stage, int processId, DateTime processStartedAt, IReadOnlyList<string> arguments, bool resume)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Stage = stage.Phase;
        run.ProcessId = processId;
        run.ProcessStartedAt = processStartedAt;
        run.Attempts++;
        if (!resume)
            ResetProgress(run);
        string text = $"{(resume ? "Resuming" : "Starting")} the {stage.Phase} stage (process {processId}): phoenix-slt {string.Join(' ', arguments.Select(Quote))}";
        await SaveAsync(db, run, NewLine(runId, Info, text)).ConfigureAwait(false);
    }

    /// <paramref name="finished"/> ended normally; the run goes on with <paramref name="next"/>.
    public async Task NextStageAsync(int runId, PipelineStage finished, PipelineStage next)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Stage = next.Phase;
        run.ProcessId = null;
        run.ProcessStartedAt = null;
        ResetProgress(run);
        await SaveAsync(db, run, NewLine(runId, Info, $"The {finished.Phase} stage finished; next: {next.Phase}.")).ConfigureAwait(false);
    }

    /// The run ended as <paramref name="end"/> says.
    public async Task FinishAsync(int runId, JobEnd end)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Status = end.Status;
        run.Error = end.Error;
        run.FinishedAt = Now();
        run.ProcessId = null;
        run.ProcessStartedAt = null;
        run.EtaSeconds = null;
        RunEventIngestor.EndValidation(run);
        await SaveAsync(db, run, NewLine(runId, LevelOf(end.Status), FinishText(end))).ConfigureAwait(false);
        logger.LogInformation("Run {RunId} is {Status}", runId, end.Status.ToText());
    }

    public async Task AddLogAsync(int runId, string level, string text)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var line = NewLine(runId, level, text);
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        PublishLines(runId, [line]);
    }

    /// Whether a cancel of run <paramref name="runId"/> was asked for (also by a portal that has no process of it).
    public async Task<bool> CancelRequestedAsync(int runId)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.CancelRequested).FirstOrDefaultAsync().ConfigureAwait(false);
    }

    private async Task SaveAsync(PhoenixDbContext db, RunEntity run, RunLogLine line)
    {
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        PublishLines(run.Id, [line]);
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    private void PublishLines(int runId, IEnumerable<RunLogLine> lines)
    {
        foreach (var line in lines)
            notifier.Publish(new RunLogUpdate(runId, new RunLogEntry(line.Id, line.Time, line.Level, line.Text)));
    }

    private static string FinishText(JobEnd end) => end.Status switch
    {
        JobStatus.Completed => "The run completed.",
        JobStatus.Cancelled => "The run was cancelled.",
        _ => $"The run is {end.Status.ToText()}: {end.Error}",
    };

    private static string LevelOf(JobStatus status) => status switch
    {
        JobStatus.Failed => Error,
        JobStatus.Completed => Info,
        _ => Warning,
    };

    /// The CLI's own error lines ("train: …" on standard error) are errors; other output is information.
    private static string LevelOf(OutputLine line) => line.IsError && line.Text.StartsWith("train:", StringComparison.Ordinal) ? Error : Info;

    private static void ResetProgress(RunEntity run)
    {
        run.ProgressStep = 0;
        run.ProgressTotal = null;
        run.Epoch = null;
        run.SamplesPerSecond = null;
        run.EtaSeconds = null;
        RunEventIngestor.EndValidation(run);
    }

    private RunLogLine NewLine(int runId, string level, string text) => new() { RunId = runId, Time = Now(), Level = level, Text = text };

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static string Quote(string argument) => argument.Length > 0 && !argument.Any(char.IsWhiteSpace) ? argument : $"\"{argument}\"";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
