using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Cli.Commands;

/// <c>phoenix-slt train text|vlp|slt</c>: trains one phase and writes OUT/best and OUT/last checkpoint folders,
/// with a progress bar on stderr and, with <c>--events</c>, the JSON-lines progress stream (docs/EVENTS.md).
public static class TrainCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
        public const int ExitCancelled = 130;

    public const string PrintSpecOption = "--print-spec";
    public const string StageOption = "--stage";
    public const string EventsOption = "--events";
    public const string ResumeOption = "--resume";

    /// A run spec and how this invocation runs it.
    /// <param name="Resume">Continue each stage from its last/ checkpoint.</param>
    /// <param name="Events">"-" for standard output, a file path, or null.</param>
    /// <param name="Stage">Run only this phase of a pipeline spec; null: every stage.</param>
    public sealed record Request(RunSpec Spec, bool Resume = false, string? Events = null, string? Stage = null);

    public static Command Create()
    {
        var spec = new TrainSpecOptions();
        var resume = new Option<bool>(ResumeOption) { Description = "Continue the run in --out exactly from its last/ checkpoint (weights, optimizer, schedule, RNG, position in the epoch); give the same settings as the first run." };
        var events = new Option<string?>(EventsOption) { Description = "Write the JSON-lines progress stream (docs/EVENTS.md) to FILE, or '-' for standard output.", HelpName = "FILE|-" };
        var stage = new Option<string?>(StageOption) { Description = "Run only this stage of a pipeline (text, vlp or slt), in its subfolder of --out.", HelpName = "PHASE" };
        var printSpec = new Option<bool>(PrintSpecOption) { Description = "Print the resolved run spec (defaults filled in, paths absolute) as JSON and exit; problems go to standard error." };

        var command = new Command("train", "Train a phase (text, vlp, slt) or the pipeline (text → vlp → slt) and write best/ and last/ checkpoints.");
        spec.AddTo(command);
        command.Options.Add(resume);
        command.Options.Add(events);
        command.Options.Add(stage);
        command.Options.Add(printSpec);
        command.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var (resolved, problems) = Resolve(spec.Read(parseResult));
            if (parseResult.GetValue(printSpec))
            {
                output.Write(RunSpecJson.Write(resolved));
                return ReportProblems(problems, error) ? ExitFailed : ExitOk;
            }
            var request = new Request(resolved, parseResult.GetValue(resume), parseResult.GetValue(events), parseResult.GetValue(stage));
            if (ReportProblems(problems, error))
            {
                ReportFailedBeforeStart(request.Events, output, string.Join(" ", problems.Messages));
                return ExitFailed;
            }
            bool interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                cts.Cancel();
            });
            return await Task.Run(() => Run(request, output, error, interactive, cts.Token), CancellationToken.None);
        });
        return command;
    }

    /// The arguments that run one <paramref name="stage"/> of the spec in <paramref name="specFile"/> (how the portal
    /// starts a stage): <c>train --spec FILE --stage PHASE --events STAGE/events.jsonl [--resume]</c>.
    public static IReadOnlyList<string> StageArguments(string specFile, PipelineStage stage, bool resume)
    {
        ArgumentNullException.ThrowIfNull(stage);
        string[] args = ["train", TrainSpecOptions.SpecOption, specFile, StageOption, stage.Phase, EventsOption, stage.EventsFile];
        return resume ? [.. args, ResumeOption] : args;
    }

    /// The spec with absolute paths, and its reading problems together with its validation's.
    public static (RunSpec Spec, SpecProblems Problems) Resolve((RunSpec Spec, SpecProblems Problems) read)
    {
        var spec = read.Spec.WithAbsolutePaths();
        return (spec, read.Problems.Merge(spec.Validate(SpecContext.CommandLine)));
    }

    private static bool ReportProblems(SpecProblems problems, TextWriter error)
    {
        foreach (string message in problems.Messages)
            error.WriteLine($"train: {message}");
        return !problems.IsValid;
    }

    /// A failure before training starts gives an event stream with only `failed` (docs/EVENTS.md).
    private static void ReportFailedBeforeStart(string? events, TextWriter output, string message)
    {
        try
        {
            using var sink = events switch
            {
                null => null,
                "-" => new JsonLinesProgressSink(output),
                string path => JsonLinesProgressSink.ToFile(path),
            };
            sink?.Report(new FailedEvent(message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the messages on standard error say what is wrong
        }
    }

    /// Trains as <paramref name="request"/> says; returns the exit code (0 done, 1 failed, 2 not supported yet,
    /// 130 cancelled). Messages go to <paramref name="error"/>; a summary to <paramref name="output"/> unless the
    /// event stream goes there. A world size above 1 starts that many worker processes
    /// (<see cref="WorkerCommand.Launch(Request, TextWriter, TextWriter, CancellationToken)"/>) unless
    /// <paramref name="joinGroup"/> is given: then this process is one worker, and joins its process group with it.
    public static int Run(Request request, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default,
        Func<DeviceSelection, CancellationToken, IProcessGroup>? joinGroup = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (StagesOf(request, out string? problem) is not { } stages)
        {
            error.WriteLine($"train: {problem}");
            ReportFailedBeforeStart(request.Events, output, problem!);
            return ExitFailed;
        }
        foreach (var stage in stages)
        {
            if (stages.Count > 1 && request.Events != "-")
                output.WriteLine($"== {stage.Phase} stage: {stage.OutDir}");
            int code = RunStage(request with { Spec = stage.Spec, Stage = null }, output, error, interactive, cancellationToken, joinGroup);
            if (code != ExitOk)
                return code;
        }
        return ExitOk;
    }

    /// The stages <paramref name="request"/> runs: every stage of its plan, or the one named by --stage.
    public static IReadOnlyList<PipelineStage>? StagesOf(Request request, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        problem = null;
        var stages = PipelinePlan.Stages(request.Spec);
        if (request.Stage is null)
            return stages;
        var chosen = stages.Where(s => s.Phase == request.Stage.Trim().ToLowerInvariant()).ToList();
        if (chosen.Count == 0)
            problem = $"{StageOption} '{request.Stage}' is not a stage of this run; allowed: {string.Join(", ", stages.Select(s => s.Phase))}";
        return chosen.Count == 0 ? null : chosen;
    }

    /// One phase: in this process, or as world-size worker processes unless <paramref name="joinGroup"/> makes this
    /// process one of them.
    private static int RunStage(Request request, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken,
        Func<DeviceSelection, CancellationToken, IProcessGroup>? joinGroup)
    {
        if (request.Spec.WorldSize > 1 && joinGroup is null)
            return WorkerCommand.Launch(request, output, error, cancellationToken);

        JsonLinesProgressSink? eventSink;
        try
        {
            eventSink = request.Events switch
            {
                null => null,
                "-" => new JsonLinesProgressSink(output),
                string path => JsonLinesProgressSink.ToFile(path),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"train: --events {request.Events}: cannot write the event file: {e.Message}");
            return ExitFailed;
        }
        using (eventSink)
        {
            var sink = new FailureTracker(eventSink, new ConsoleProgressSink(error, interactive));
            try
            {
                using var session = TrainingSession.Create(request.Spec, request.Resume);
                using var group = joinGroup is null ? new SingleProcessGroup(session.Device.ToDevice()) : joinGroup(session.Device, cancellationToken);
                var result = session.Run(group, sink, cancellationToken);
                if (request.Events != "-")
                    output.Write(FormatSummary(result));
                return ExitOk;
            }
            catch (OperationCanceledException)
            {
                sink.ReportFailure("cancelled");
                error.WriteLine("train: cancelled; the last checkpoint written (if any) is in --out");
                return ExitCancelled;
            }
            catch (Exception e) when (IsUserProblem(e))
            {
                sink.ReportFailure(e.Message);
                error.WriteLine($"train: {e.Message}");
                return ExitFailed;
            }
            catch (Exception e)
            {
                sink.ReportFailure(e.Message);
                error.WriteLine($"train: failed with {e.GetType().Name}: {e.Message}");
                return ExitFailed;
            }
        }
    }

    /// "best checkpoint: DIR", the best metrics, the last checkpoint and the step count.
    public static string FormatSummary(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"steps: {result.Steps}{(result.EarlyStopped ? " (early stop)" : "")}\n");
        if (result.Best is { } best)
            text.Append(CultureInfo.InvariantCulture, $"best {best.Name}: {best.Value:F4} at step {best.Step}\n");
        if (result.BestCheckpoint is not null)
            text.Append("best checkpoint: ").Append(result.BestCheckpoint).Append('\n');
        if (result.LastCheckpoint is not null)
            text.Append("last checkpoint: ").Append(result.LastCheckpoint).Append('\n');
        foreach (var (name, value) in result.BestMetrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"  {name}: {value:F4}\n");
        return text.ToString();
    }

    /// Sends events to the JSON-lines stream and the console (failures excepted: the command prints those itself)
    /// and remembers whether the trainer already reported a failure, so that exactly one failed event is written.
    private sealed class FailureTracker(IProgressSink? events, IProgressSink console) : IProgressSink
    {
        private bool _failed;

        public void Report(ProgressEvent progressEvent)
        {
            _failed |= progressEvent is FailedEvent;
            events?.Report(progressEvent);
            if (progressEvent is not FailedEvent)
                console.Report(progressEvent);
        }

        public void ReportFailure(string message)
        {
            if (!_failed)
                Report(new FailedEvent(message));
        }
    }

    private static bool IsUserProblem(Exception e) => e is TrainingConfigurationException or PhoenixDataException
        or CheckpointFormatException or DistributedException or ArgumentException or IOException or UnauthorizedAccessException;
}
