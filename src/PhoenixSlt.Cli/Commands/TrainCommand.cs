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

namespace PhoenixSlt.Cli.Commands;

/// <c>phoenix-slt train text|vlp|slt</c>: trains one phase and writes OUT/best and OUT/last checkpoint folders,
/// with a progress bar on stderr and, with <c>--events</c>, the JSON-lines progress stream (docs/EVENTS.md).
public static class TrainCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitNotSupported = 2;
    public const int ExitCancelled = 130;

    /// What the command line asked for beyond <see cref="TrainRunOptions"/>.
    /// <param name="Events">"-" for standard output, a file path, or null.</param>
    public sealed record Request(TrainRunOptions Options, int WorldSize, string Backend, bool Resume, string? Events);

    public static Command Create()
    {
        var phase = new Argument<string>("phase") { Description = "Phase to train: text (mBART denoising), vlp (visual-language pre-training) or slt (translation)." };
        phase.AcceptOnlyFromAmong([.. TrainingPhaseNames.All]);
        var data = new Option<string>("--data") { Description = "Dataset root (annotations/, kpts/, siglip_vitb16/).", HelpName = "DIR", Required = true };
        var outDir = new Option<string>("--out") { Description = "Folder for the best/ and last/ checkpoints (must not hold a run yet, unless --resume).", HelpName = "DIR", Required = true };
        var preset = new Option<string>("--preset") { Description = "Model size when nothing pretrained decides it.", DefaultValueFactory = _ => "tiny" };
        preset.AcceptOnlyFromAmong([.. ModelPresets.Names]);
        var init = new Option<string?>("--init") { Description = "Checkpoint to start from: text → text; text or vlp → vlp; vlp (fusion encoder) or slt → slt.", HelpName = "CKPT" };
        var mbart = new Option<string?>("--mbart") { Description = "Pretrained mBART: a Hugging Face folder (config.json, model.safetensors, sentencepiece.bpe.model) or a text-phase checkpoint; its tokenizer is used.", HelpName = "DIR" };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training split.", HelpName = "E" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Optimizer steps at most.", HelpName = "S" };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per micro-batch (per process).", HelpName = "B", DefaultValueFactory = _ => 8 };
        var accumulate = new Option<int>("--accumulate") { Description = "Micro-batches per optimizer step (gradient accumulation).", HelpName = "A", DefaultValueFactory = _ => 1 };
        var lrEncoder = new Option<double?>("--lr-encoder") { Description = "Peak learning rate of the visual encoder (text phase: the mBART encoder); default 1e-4.", HelpName = "X" };
        var lrDecoder = new Option<double?>("--lr-decoder") { Description = "Peak learning rate of the mBART decoder; default 5e-6 with pretrained mBART weights, else the encoder's.", HelpName = "Y" };
        var amp = new Option<string>("--amp") { Description = "Mixed precision for GPUs: bf16 (autocast) or fp16 (autocast + dynamic loss scaling); float32 (none) is the right choice on CPUs.", DefaultValueFactory = _ => "none" };
        amp.AcceptOnlyFromAmong("none", "bf16", "fp16");
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var worldSize = new Option<int>("--world-size") { Description = "Data-parallel processes.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var backend = new Option<string>("--backend") { Description = "Collective backend for --world-size > 1.", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("tcp", "nccl", "auto");
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, shuffling and dropout.", HelpName = "S", DefaultValueFactory = _ => 42 };
        var maxFrames = new Option<int?>("--max-frames") { Description = "MAX_FRAMES: longer clips are subsampled uniformly; default and limit: the mBART encoder's positions.", HelpName = "F" };
        var patience = new Option<int?>("--patience") { Description = "Stop after this many validations without improvement (slt: BLEU-4; vlp, text: val loss).", HelpName = "P" };
        var beams = new Option<int>("--beams") { Description = "Beams of the validation decoding (1 = greedy).", HelpName = "K", DefaultValueFactory = _ => 5 };
        var evalEvery = new Option<long?>("--eval-every") { Description = "Validate every this many steps (default: every epoch).", HelpName = "STEPS" };
        var logEvery = new Option<int>("--log-every") { Description = "A progress line (and step event) every this many steps.", HelpName = "N", DefaultValueFactory = _ => 10 };
        var warmup = new Option<long?>("--warmup-steps") { Description = "Linear warmup steps before the cosine decay (default 5 % of the run).", HelpName = "N" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay of matrices and embeddings.", HelpName = "X", DefaultValueFactory = _ => 0.01 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out exactly from its last/ checkpoint (weights, optimizer, schedule, RNG, position in the epoch); give the same settings as the first run." };
        var saveEvery = new Option<long?>("--save-every") { Description = "Also write last/ (resumable) every this many steps (default: at each validation).", HelpName = "STEPS" };
        var loaderWorkers = new Option<int?>("--loader-workers") { Description = "Threads loading training batches ahead of the trainer (0 = on the training thread; default min(2, cores - 1)).", HelpName = "N" };
        var events = new Option<string?>("--events") { Description = "Write the JSON-lines progress stream (docs/EVENTS.md) to FILE, or '-' for standard output.", HelpName = "FILE|-" };

        var command = new Command("train", "Train a phase (text, vlp, slt) and write best/ and last/ checkpoints.")
        {
            phase, data, outDir, preset, init, mbart, epochs, maxSteps, batchSize, accumulate, lrEncoder, lrDecoder, amp, device,
            worldSize, backend, seed, maxFrames, patience, beams, evalEvery, logEvery, warmup, weightDecay, resume, saveEvery, loaderWorkers, events,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var options = new TrainRunOptions
            {
                Phase = TrainingPhaseNames.Parse(parseResult.GetValue(phase)!),
                DataDir = parseResult.GetValue(data)!,
                OutDir = parseResult.GetValue(outDir)!,
                Preset = parseResult.GetValue(preset)!,
                Init = parseResult.GetValue(init),
                MBart = parseResult.GetValue(mbart),
                Epochs = parseResult.GetValue(epochs),
                MaxSteps = parseResult.GetValue(maxSteps),
                BatchSize = parseResult.GetValue(batchSize),
                Accumulate = parseResult.GetValue(accumulate),
                LrEncoder = parseResult.GetValue(lrEncoder),
                LrDecoder = parseResult.GetValue(lrDecoder),
                Amp = parseResult.GetValue(amp)!,
                Device = parseResult.GetValue(device)!,
                Seed = parseResult.GetValue(seed),
                MaxFrames = parseResult.GetValue(maxFrames),
                Patience = parseResult.GetValue(patience),
                Beams = parseResult.GetValue(beams),
                EvalEverySteps = parseResult.GetValue(evalEvery),
                LogEvery = parseResult.GetValue(logEvery),
                WarmupSteps = parseResult.GetValue(warmup),
                WeightDecay = parseResult.GetValue(weightDecay),
                Resume = parseResult.GetValue(resume),
                SaveEverySteps = parseResult.GetValue(saveEvery),
                LoaderWorkers = parseResult.GetValue(loaderWorkers),
            };
            var request = new Request(options, parseResult.GetValue(worldSize), parseResult.GetValue(backend)!, parseResult.GetValue(resume), parseResult.GetValue(events));
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
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
        if (NotSupported(request) is string unsupported)
        {
            error.WriteLine($"train: {unsupported}");
            return ExitNotSupported;
        }
        if (request.WorldSize > 1 && joinGroup is null)
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
                using var session = TrainingSession.Create(request.Resume ? request.Options with { Resume = true } : request.Options);
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

    /// The reason a request cannot run yet, or null.
    public static string? NotSupported(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.WorldSize < 1)
            return $"--world-size {request.WorldSize} must be at least 1";
        DistributedBackendNames.Parse(request.Backend);
        return null;
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
