using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Cli.Commands;

/// <c>phoenix-slt worker</c>: one process of a data-parallel run. It takes the options of <c>train</c> plus its rank
/// and the rendezvous address (options, or the PHOENIX_* environment variables of
/// <see cref="DistributedEnvironment"/>), joins the process group and trains its shard; only rank 0 writes events
/// and checkpoints. <c>train --world-size N</c> starts N of these through <see cref="Launch"/>.
public static class WorkerCommand
{
    public const string MasterAddressOption = "--master-addr";
    public const string MasterPortOption = "--master-port";
    public const string RankOption = "--rank";
    public const string TimeoutOption = "--dist-timeout";

    public static Command Create()
    {
        var spec = new TrainSpecOptions();
        var resume = new Option<bool>("--resume") { Description = "Continue from the last/ checkpoint in --out." };
        var events = new Option<string?>("--events") { Description = "Rank 0 writes the JSON-lines progress stream to FILE, or '-' for standard output.", HelpName = "FILE|-" };
        var rank = new Option<int?>(RankOption) { Description = $"This worker's rank, 0..world size - 1 (default: ${DistributedEnvironment.Rank}).", HelpName = "R" };
        var address = new Option<string?>(MasterAddressOption) { Description = $"Host of rank 0's rendezvous (default: ${DistributedEnvironment.MasterAddress} or {DistributedOptions.DefaultMasterAddress}).", HelpName = "HOST" };
        var port = new Option<int?>(MasterPortOption) { Description = $"Port of rank 0's rendezvous (default: ${DistributedEnvironment.MasterPort} or {DistributedOptions.DefaultMasterPort}).", HelpName = "PORT" };
        var timeout = new Option<double?>(TimeoutOption) { Description = $"Seconds a collective or the rendezvous may wait for the other workers (default: ${DistributedEnvironment.TimeoutSeconds} or 60).", HelpName = "SECONDS" };
        var command = new Command("worker", "One process of a multi-process (data-parallel) training run of one phase; `train --world-size N` starts these.");
        spec.AddTo(command);
        command.Options.Add(resume);
        command.Options.Add(events);
        command.Options.Add(rank);
        command.Options.Add(address);
        command.Options.Add(port);
        command.Options.Add(timeout);
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var (resolved, problems) = TrainCommand.Resolve(spec.Read(parseResult));
            if (!problems.IsValid)
            {
                foreach (string message in problems.Messages)
                    error.WriteLine($"worker: {message}");
                return TrainCommand.ExitFailed;
            }
            DistributedOptions distributed;
            try
            {
                distributed = DistributedOptions.FromEnvironment();
                if (resolved.WorldSize != 1)
                    distributed = distributed with { WorldSize = resolved.WorldSize };
                if (resolved.Backend != "auto")
                    distributed = distributed with { Backend = DistributedBackendNames.Parse(resolved.Backend) };
                if (parseResult.GetValue(rank) is int r)
                    distributed = distributed with { Rank = r };
                if (parseResult.GetValue(address) is string host)
                    distributed = distributed with { MasterAddress = host };
                if (parseResult.GetValue(port) is int p)
                    distributed = distributed with { MasterPort = p };
                if (parseResult.GetValue(timeout) is double seconds)
                    distributed = distributed with { Timeout = seconds > 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero };
                distributed.Validate();
            }
            catch (Exception e) when (e is DistributedException or ArgumentException)
            {
                error.WriteLine($"worker: {e.Message}");
                return TrainCommand.ExitFailed;
            }
            var request = new TrainCommand.Request(
                resolved with { WorldSize = distributed.WorldSize, Backend = distributed.Backend.ToName() }, parseResult.GetValue(resume), parseResult.GetValue(events));
            var output = parseResult.InvocationConfiguration.Output;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                cts.Cancel();
            });
            return await Task.Run(() => Run(request, distributed, output, error, cts.Token), CancellationToken.None);
        });
        return command;
    }

    /// Runs one worker: the session of <paramref name="request"/> over the process group of
    /// <paramref name="distributed"/>. Messages start with "worker rank R:"; the exit codes are train's.
    public static int Run(TrainCommand.Request request, DistributedOptions distributed, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(distributed);
        var own = request with
        {
            Spec = request.Spec with { WorldSize = distributed.WorldSize, Backend = distributed.Backend.ToName() },
            Events = distributed.Rank == 0 ? request.Events : null,
        };
        return TrainCommand.Run(own, output, error, interactive: false, cancellationToken,
            (device, ct) => ProcessGroupFactory.InitializeAsync(distributed, device.ToDevice(), ct).GetAwaiter().GetResult());
    }

    /// Runs <paramref name="request"/> (world size N > 1) as N worker processes of the current executable on
    /// this machine: rank 0's standard output (events, summary) goes to <paramref name="output"/>, every worker's
    /// standard error to <paramref name="error"/> behind "[rank R] ".
    public static int Launch(TrainCommand.Request request, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(WorkerCommand).Assembly)
        {
            error.WriteLine($"train: --world-size {request.Spec.WorldSize} starts worker processes of the phoenix-slt program, but this process is another program; run `phoenix-slt train ... --world-size {request.Spec.WorldSize}`, or start `phoenix-slt worker` processes yourself");
            return TrainCommand.ExitFailed;
        }
        WorkerExecutable executable;
        try
        {
            executable = WorkerExecutable.Current();
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"train: {e.Message}");
            return TrainCommand.ExitFailed;
        }
        return Launch(request, executable, output, error, WorkerLauncher.DefaultGrace, cancellationToken);
    }

    /// <see cref="Launch(TrainCommand.Request, TextWriter, TextWriter, CancellationToken)"/> with a given executable.
    public static int Launch(TrainCommand.Request request, WorkerExecutable executable, TextWriter output, TextWriter error, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(executable);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var workers = Workers(request, executable, DistributedOptions.DefaultMasterAddress, WorkerLaunchPlan.FreePort());
        string? lastEventLine = null;
        try
        {
            WorkerLauncher.RunAsync(workers,
                (rank, line) =>
                {
                    if (rank != 0)
                        return;
                    output.WriteLine(line);
                    lastEventLine = line;
                },
                (rank, line) => error.WriteLine($"[rank {rank}] {line}"),
                grace, cancellationToken).GetAwaiter().GetResult();
            return TrainCommand.ExitOk;
        }
        catch (OperationCanceledException)
        {
            ReportFailure(request, output, lastEventLine, "cancelled");
            error.WriteLine("train: cancelled; the workers were stopped; the last checkpoint written (if any) is in --out");
            return TrainCommand.ExitCancelled;
        }
        catch (WorkerLaunchException e)
        {
            ReportFailure(request, output, lastEventLine, e.Message);
            error.WriteLine($"train: {e.Message}");
            return TrainCommand.ExitFailed;
        }
    }

    /// The N worker processes of <paramref name="request"/>.
    public static IReadOnlyList<WorkerProcess> Workers(TrainCommand.Request request, WorkerExecutable executable, string masterAddress, int masterPort)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(executable);
        return Enumerable.Range(0, request.Spec.WorldSize).Select(rank =>
        {
            var (device, gpu) = WorkerLaunchPlan.WorkerDevice(request.Spec.Device, rank);
            var workerRequest = request with { Spec = request.Spec with { Device = device }, Events = rank == 0 ? request.Events : null };
            string[] arguments =
            [
                .. executable.PrefixArguments, "worker", .. Arguments(workerRequest),
                RankOption, Invariant(rank), MasterAddressOption, masterAddress, MasterPortOption, Invariant(masterPort),
            ];
            return new WorkerProcess(rank, executable.FileName, arguments, WorkerLaunchPlan.Environment(gpu, request.Spec.Threads));
        }).ToList();
    }

    /// The arguments of one phase's worker: the spec's flags (phase first; paths absolute), --resume, --events.
    public static IReadOnlyList<string> Arguments(TrainCommand.Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = new List<string>(TrainSpecOptions.ToArguments(request.Spec.WithAbsolutePaths()));
        if (request.Resume)
            args.Add("--resume");
        if (request.Events is not null)
            args.AddRange(["--events", request.Events == "-" ? "-" : Path.GetFullPath(request.Events)]);
        return args;
    }

    /// Ends the event stream with a failed event when the workers stopped before rank 0 wrote its last event.
    private static void ReportFailure(TrainCommand.Request request, TextWriter output, string? lastStdoutLine, string message)
    {
        if (request.Events is null)
            return;
        try
        {
            if (request.Events == "-")
            {
                if (lastStdoutLine is null || !IsFinal(lastStdoutLine))
                    new JsonLinesProgressSink(output).Report(new FailedEvent(message));
                return;
            }
            string? last = File.Exists(request.Events) ? File.ReadLines(request.Events).LastOrDefault(l => l.Length > 0) : null;
            if (last is not null && IsFinal(last))
                return;
            using var sink = JsonLinesProgressSink.ToFile(request.Events);
            sink.Report(new FailedEvent(message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the message on standard error still says what happened
        }
    }

    private static bool IsFinal(string line)
    {
        try
        {
            return ProgressEventJson.Parse(line) is FailedEvent or FinishedEvent;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
