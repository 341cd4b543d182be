using System.Collections.Concurrent;
using System.ComponentModel;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// Runs the training queue: starts queued runs as `phoenix-slt train` processes (training never happens in the
/// portal's process, so a native crash or out-of-memory cannot take the portal down), at most
/// <see cref="TrainingOptions.MaxConcurrentRunsPerDevice"/> per device (<see cref="Slots"/>, shared with checkpoint
/// evaluations); reads each process's JSON-lines event
/// file (docs/EVENTS.md), persists the events and hands them to the <see cref="RunNotifier"/>; chains the stages of
/// a pipeline; cancels gracefully (SIGTERM, then a kill after the grace period); turns a process that dies without
/// `finished` or `failed` into a failed run with the tail of its error output. On start, runs left queued or
/// running become interrupted and the checkpoint root is scanned; on stop, running processes are killed and
/// their runs become interrupted (Resume continues them with `--resume`).
public sealed class TrainingSupervisor(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatabaseState database,
    DatasetCatalog datasets,
    PhoenixPaths paths,
    RunNotifier notifier,
    IProcessProbe probe,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<TrainingSupervisor> logger) : BackgroundService
{
    private const string Info = "info";
    private const string Warning = "warning";
    private const string Error = "error";

    private readonly TrainingOptions _options = options.Value;
    private readonly WakeSignal _wake = new();
    private readonly ConcurrentDictionary<int, ActiveProcess> _active = new();
    private IDisposable? _slotReleases;

    /// How `phoenix-slt` is started (from <see cref="TrainingOptions.CliPath"/> or next to the portal's assembly).
    public CliCommand Cli { get; } = CliCommand.Resolve(options.Value, Path.GetDirectoryName(typeof(TrainingSupervisor).Assembly.Location) ?? AppContext.BaseDirectory);

    /// The device slots of every process the portal starts: a run takes one on each of its devices while it works,
    /// and so does an evaluation; a run waits in the queue while one of its devices is full.
    public DeviceSlots Slots { get; } = new(options.Value.MaxConcurrentRunsPerDevice);

    /// Ids of the runs that have a process (or are about to get one) in this portal.
    public IReadOnlyCollection<int> ActiveRunIds => [.. _active.Keys];

    /// Look at the queue now (a run was queued or resumed).
    public void Wake() => _wake.Wake();

    /// Stops the process of running run <paramref name="runId"/>: SIGTERM (the CLI stops at the next step), then a
    /// kill after <see cref="TrainingOptions.CancelGracePeriod"/>. The run ends as cancelled.
    public void RequestCancel(int runId)
    {
        if (_active.TryGetValue(runId, out var active))
            active.Cancel();
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.IsReady)
        {
            logger.LogError("The training supervisor stays idle: {Error}", database.Error ?? "the database was not prepared");
            return;
        }
        await RecoverAsync(cancellationToken).ConfigureAwait(false);
        _slotReleases = Slots.OnReleased(Wake);                     // e.g. an evaluation ended
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await StartQueuedAsync(stoppingToken).ConfigureAwait(false);
                await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the runs below see the same token.
        }
        finally
        {
            await Task.WhenAll(_active.Values.Select(a => a.Completion)).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _slotReleases?.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// Runs left queued or running by the previous portal become interrupted; the checkpoint root is scanned.
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var interrupted = await RunRecovery.MarkInterruptedAsync(db, probe, Now(), cancellationToken).ConfigureAwait(false);
        if (interrupted.Count > 0)
            logger.LogWarning("Runs {RunIds} were queued or running when the portal stopped; they are interrupted now", interrupted);
        try
        {
            int found = await CheckpointCatalog.ScanAsync(db, paths.CheckpointRoot, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Found {Count} checkpoints under {CheckpointRoot}", found, paths.CheckpointRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not scan the checkpoint root {CheckpointRoot}", paths.CheckpointRoot);
        }
    }

    /// Starts the queued runs (oldest first) whose devices have a free slot.
    private async Task StartQueuedAsync(CancellationToken stoppingToken)
    {
        List<RunEntity> queued;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            queued = await db.Runs.AsNoTracking().Where(r => r.Status == JobStatus.Queued)
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(stoppingToken).ConfigureAwait(false);
        }
        foreach (var run in queued)
        {
            if (_active.ContainsKey(run.Id) || Slots.TryAcquire(TrainArguments.DevicesOf(run.Device, run.WorldSize)) is not { } slots)
                continue;
            var active = new ActiveProcess(run.Id, slots);
            if (!_active.TryAdd(run.Id, active))
            {
                active.Dispose();
                continue;
            }
            if (!await ClaimAsync(run.Id, stoppingToken).ConfigureAwait(false))
            {
                _active.TryRemove(run.Id, out _);
                active.Dispose();
                continue;
            }
            active.Completion = Task.Run(() => SuperviseAsync(active, stoppingToken), CancellationToken.None);
        }
    }

    /// queued → running, unless someone else changed the run meanwhile (e.g. cancelled it).
    private async Task<bool> ClaimAsync(int runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        DateTime now = Now();
        int changed = await db.Runs.Where(r => r.Id == runId && r.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobStatus.Running).SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), cancellationToken)
            .ConfigureAwait(false);
        return changed == 1;
    }

    private async Task SuperviseAsync(ActiveProcess active, CancellationToken stoppingToken)
    {
        try
        {
            await RunStagesAsync(active, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException or OperationCanceledException or JsonException or Win32Exception)
        {
            logger.LogError(e, "Supervising run {RunId} failed", active.Id);
            await TryFinishAsync(active.Id, JobStatus.Failed, $"The portal could not supervise the run: {e.Message}").ConfigureAwait(false);
        }
        finally
        {
            _active.TryRemove(active.Id, out _);
            active.Dispose();
            if (!stoppingToken.IsCancellationRequested)
                Wake();
        }
    }

    private async Task RunStagesAsync(ActiveProcess active, CancellationToken stoppingToken)
    {
        RunEntity run;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
            run = await db.Runs.AsNoTracking().FirstAsync(r => r.Id == active.Id, stoppingToken).ConfigureAwait(false);
        var request = RunStore.ConfigOf(run);
        var stages = TrainArguments.Plan(request, run.OutputFolder);
        int index = Math.Max(0, stages.ToList().FindIndex(s => s.Phase == run.Stage));
        var dataset = datasets.Find(run.Dataset);
        if (dataset is null)
        {
            await FinishAsync(active.Id, JobStatus.Failed,
                $"Dataset '{run.Dataset}' is no longer under the data root {datasets.DataRoot}; put it back (or start a new run on another dataset).").ConfigureAwait(false);
            return;
        }
        if (!File.Exists(Cli.Program))
        {
            await FinishAsync(active.Id, JobStatus.Failed,
                $"{Cli.Program} not found: the portal starts training with phoenix-slt. Build the solution (dotnet build) so that phoenix-slt.dll is next to the portal, or set Phoenix:Training:CliPath.").ConfigureAwait(false);
            return;
        }

        for (; index < stages.Count; index++)
        {
            var stage = stages[index];
            bool resume = File.Exists(Path.Combine(stage.OutDir, CheckpointFolder.Last, CheckpointFolder.TrainerStateFileName));
            var result = await RunStageAsync(active, request, stage, dataset.Path, resume, stoppingToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case StageOutcome.Finished when index + 1 < stages.Count:
                    await NextStageAsync(active.Id, stage, stages[index + 1]).ConfigureAwait(false);
                    break;
                case StageOutcome.Finished:
                    await FinishAsync(active.Id, JobStatus.Completed, null).ConfigureAwait(false);
                    return;
                case StageOutcome.Cancelled:
                    await FinishAsync(active.Id, JobStatus.Cancelled, null).ConfigureAwait(false);
                    return;
                case StageOutcome.Shutdown:
                    await FinishAsync(active.Id, JobStatus.Interrupted,
                        "The portal stopped while this run was running. Resume continues from the last checkpoint.").ConfigureAwait(false);
                    return;
                default:
                    await FinishAsync(active.Id, JobStatus.Failed, result.Message).ConfigureAwait(false);
                    return;
            }
        }
    }

    private async Task<StageResult> RunStageAsync(ActiveProcess active, RunRequest request, TrainStage stage, string datasetDir, bool resume, CancellationToken stoppingToken)
    {
        if (active.CancelRequested || await CancelRequestedInDatabaseAsync(active.Id).ConfigureAwait(false))
            return new StageResult(StageOutcome.Cancelled, null);
        if (stoppingToken.IsCancellationRequested)
            return new StageResult(StageOutcome.Shutdown, null);

        var arguments = TrainArguments.For(request, stage, datasetDir, resume);
        Directory.CreateDirectory(stage.OutDir);
        var reader = new EventFileReader(stage.EventsFile, EventFileReader.CurrentLength(stage.EventsFile));
        var output = new OutputCollector(_options.StderrTailLines);
        using var process = new Process { StartInfo = StartInfo(arguments, Path.GetDirectoryName(stage.OutDir)!), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.Add(e.Data, isError: false, Now());
        process.ErrorDataReceived += (_, e) => output.Add(e.Data, isError: true, Now());
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return new StageResult(StageOutcome.Failed,
                $"Could not start {Cli.FileName}: {e.Message}. Check Phoenix:Training:CliPath and Phoenix:Training:DotnetPath.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return await SuperviseProcessAsync(active, stage, process, arguments, resume, reader, output, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            if (!HasExited(process))
                ProcessControl.KillTree(process);                 // never leave a training process behind
        }
    }

    private async Task<StageResult> SuperviseProcessAsync(ActiveProcess active, TrainStage stage, Process process, IReadOnlyList<string> arguments, bool resume,
        EventFileReader reader, OutputCollector output, CancellationToken stoppingToken)
    {
        await StageStartedAsync(active.Id, stage, process, arguments, resume).ConfigureAwait(false);
        logger.LogInformation("Run {RunId}: {Stage} started as process {ProcessId}", active.Id, stage.Phase, process.Id);

        var end = new StageEnd();
        var exited = process.WaitForExitAsync(CancellationToken.None);
        DateTime? interruptedAt = null;
        bool killed = false, shutdown = false;
        while (true)
        {
            bool done = exited.IsCompleted;
            await PumpAsync(active.Id, stage.Phase, reader, output, end).ConfigureAwait(false);
            if (done)
                break;
            if (stoppingToken.IsCancellationRequested && !shutdown)
            {
                shutdown = true;
                ProcessControl.KillTree(process);
            }
            else if (active.CancelRequested && interruptedAt is null)
            {
                interruptedAt = Now();
                bool signalled = ProcessControl.RequestStop(process);
                if (!signalled)
                    ProcessControl.KillTree(process);
                await AddLogAsync(active.Id, Info, signalled
                    ? $"Cancel: asked process {process.Id} to stop (SIGTERM); it is killed if still running after {_options.CancelGracePeriod.TotalSeconds:0.#} s."
                    : $"Cancel: process {process.Id} was killed.").ConfigureAwait(false);
            }
            else if (interruptedAt is DateTime sent && !killed && Now() - sent > _options.CancelGracePeriod)
            {
                killed = true;
                ProcessControl.KillTree(process);
                await AddLogAsync(active.Id, Warning, $"Cancel: process {process.Id} did not stop within {_options.CancelGracePeriod.TotalSeconds:0.#} s and was killed.").ConfigureAwait(false);
            }
            var wakeOnCancel = interruptedAt is null && !shutdown ? active.CancelToken : CancellationToken.None;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(wakeOnCancel, shutdown ? CancellationToken.None : stoppingToken);
            await Task.WhenAny(exited, Task.Delay(_options.PollInterval, wait.Token)).ConfigureAwait(false);
        }
        process.WaitForExit();                                      // the output handlers have seen every line
        await PumpAsync(active.Id, stage.Phase, reader, output, end).ConfigureAwait(false);
        int exitCode = process.ExitCode;
        logger.LogInformation("Run {RunId}: {Stage} process exited with code {ExitCode}", active.Id, stage.Phase, exitCode);

        if (shutdown)
            return new StageResult(StageOutcome.Shutdown, null);
        if (active.CancelRequested)
            return new StageResult(StageOutcome.Cancelled, null);
        if (end.Finished)
            return new StageResult(StageOutcome.Finished, null);
        if (end.FailureMessage is string message)
            return new StageResult(StageOutcome.Failed, message);
        string tail = output.ErrorTail();
        return new StageResult(StageOutcome.Failed,
            $"phoenix-slt {WorkerLauncher.DescribeExit(exitCode)} without reporting the end of the {stage.Phase} stage."
            + (tail.Length > 0 ? $" Last lines of its error output:\n{tail}" : " It wrote no error output."));
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> arguments, string workingDirectory)
        => Cli.StartInfo(arguments, workingDirectory, _options.Environment);

    /// Reads new event lines and output lines, persists them in one transaction and publishes them.
    private async Task PumpAsync(int runId, string stage, EventFileReader reader, OutputCollector output, StageEnd end)
    {
        var lines = reader.ReadNewLines();
        var outputLines = output.Drain();
        if (lines.Count == 0 && outputLines.Count == 0)
            return;
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        var events = new List<RunEventUpdate>();
        var logLines = new List<RunLogLine>();
        foreach (string line in lines)
        {
            if (RunEventIngestor.TryParse(line, out string? problem) is not { } parsed)
            {
                logLines.Add(new RunLogLine { RunId = runId, Time = Now(), Level = Warning, Text = $"Unreadable event line ({problem}): {Truncate(line, 300)}" });
                continue;
            }
            await RunEventIngestor.ApplyAsync(db, run, stage, parsed.Event, end).ConfigureAwait(false);
            events.Add(new RunEventUpdate(runId, stage, parsed.Event, parsed.Json));
        }
        foreach (var (at, isError, text) in outputLines)
            logLines.Add(new RunLogLine { RunId = runId, Time = at, Level = isError && text.StartsWith("train:", StringComparison.Ordinal) ? Error : Info, Text = text });
        db.RunLogLines.AddRange(logLines);
        await db.SaveChangesAsync().ConfigureAwait(false);
        foreach (var update in events)
            notifier.Publish(update);
        foreach (var line in logLines)
            notifier.Publish(new RunLogUpdate(runId, ToEntry(line)));
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    private async Task StageStartedAsync(int runId, TrainStage stage, Process process, IReadOnlyList<string> arguments, bool resume)
    {
        DateTime startedAt;
        try
        {
            startedAt = process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // The process exited already (Win32Exception: it was reaped between the exit check and reading its
            // /proc entry); its exit is handled by the caller.
            startedAt = Now();
        }
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Stage = stage.Phase;
        run.ProcessId = process.Id;
        run.ProcessStartedAt = startedAt;
        run.Attempts++;
        if (!resume)
            ResetProgress(run);
        string text = $"{(resume ? "Resuming" : "Starting")} the {stage.Phase} stage (process {process.Id}): phoenix-slt {string.Join(' ', arguments.Select(Quote))}";
        var line = new RunLogLine { RunId = runId, Time = Now(), Level = Info, Text = text };
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        notifier.Publish(new RunLogUpdate(runId, ToEntry(line)));
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    private async Task NextStageAsync(int runId, TrainStage finished, TrainStage next)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Stage = next.Phase;
        run.ProcessId = null;
        run.ProcessStartedAt = null;
        ResetProgress(run);
        var line = new RunLogLine { RunId = runId, Time = Now(), Level = Info, Text = $"The {finished.Phase} stage finished; next: {next.Phase}." };
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        notifier.Publish(new RunLogUpdate(runId, ToEntry(line)));
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    private async Task FinishAsync(int runId, JobStatus status, string? error)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.Runs.FirstAsync(r => r.Id == runId).ConfigureAwait(false);
        run.Status = status;
        run.Error = error;
        run.FinishedAt = Now();
        run.ProcessId = null;
        run.ProcessStartedAt = null;
        run.EtaSeconds = null;
        string text = status switch
        {
            JobStatus.Completed => "The run completed.",
            JobStatus.Cancelled => "The run was cancelled.",
            _ => $"The run is {status.ToText()}: {error}",
        };
        var line = new RunLogLine { RunId = runId, Time = Now(), Level = status == JobStatus.Failed ? Error : status == JobStatus.Completed ? Info : Warning, Text = text };
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        logger.LogInformation("Run {RunId} is {Status}", runId, status.ToText());
        notifier.Publish(new RunLogUpdate(runId, ToEntry(line)));
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
    }

    private async Task TryFinishAsync(int runId, JobStatus status, string error)
    {
        try
        {
            await FinishAsync(runId, status, error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
        {
            logger.LogError(e, "Could not mark run {RunId} {Status}", runId, status.ToText());
        }
    }

    private async Task AddLogAsync(int runId, string level, string text)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var line = new RunLogLine { RunId = runId, Time = Now(), Level = level, Text = text };
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync().ConfigureAwait(false);
        notifier.Publish(new RunLogUpdate(runId, ToEntry(line)));
    }

    private async Task<bool> CancelRequestedInDatabaseAsync(int runId)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.CancelRequested).FirstOrDefaultAsync().ConfigureAwait(false);
    }

    private static void ResetProgress(RunEntity run)
    {
        run.ProgressStep = 0;
        run.ProgressTotal = null;
        run.Epoch = null;
        run.SamplesPerSecond = null;
        run.EtaSeconds = null;
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static RunLogEntry ToEntry(RunLogLine line) => new(line.Id, line.Time, line.Level, line.Text);

    private static string Quote(string argument) => argument.Length > 0 && !argument.Any(char.IsWhiteSpace) ? argument : $"\"{argument}\"";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private enum StageOutcome
    {
        Finished,
        Failed,
        Cancelled,
        Shutdown,
    }

    private sealed record StageResult(StageOutcome Outcome, string? Message);

    /// Lines of a process's standard output and error, collected by the output handlers and drained by the loop;
    /// keeps the last error lines (<see cref="LineTail"/>) for the message of a process that died.
    private sealed class OutputCollector(int tailLines)
    {
        private readonly Lock _gate = new();
        private readonly List<(DateTime Time, bool IsError, string Text)> _pending = [];
        private readonly LineTail _errorTail = new(tailLines);

        public void Add(string? text, bool isError, DateTime at)
        {
            if (string.IsNullOrWhiteSpace(text))
                return;
            lock (_gate)
                _pending.Add((at, isError, text.TrimEnd()));
            if (isError)
                _errorTail.Add(text.TrimEnd());
        }

        public IReadOnlyList<(DateTime Time, bool IsError, string Text)> Drain()
        {
            lock (_gate)
            {
                var lines = _pending.ToList();
                _pending.Clear();
                return lines;
            }
        }

        public string ErrorTail() => _errorTail.Text();
    }
}
