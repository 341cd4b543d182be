using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Training.Phases;

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
        var train = TrainCommand.Create();
        var rank = new Option<int?>(RankOption) { Description = $"This worker's rank, 0..world size - 1 (default: ${DistributedEnvironment.Rank}).", HelpName = "R" };
        var address = new Option<string?>(MasterAddressOption) { Description = $"Host of rank 0's rendezvous (default: ${DistributedEnvironment.MasterAddress} or {DistributedOptions.DefaultMasterAddress}).", HelpName = "HOST" };
        var port = new Option<int?>(MasterPortOption) { Description = $"Port of rank 0's rendezvous (default: ${DistributedEnvironment.MasterPort} or {DistributedOptions.DefaultMasterPort}).", HelpName = "PORT" };
        var timeout = new Option<double?>(TimeoutOption) { Description = $"Seconds a collective or the rendezvous may wait for the other workers (default: ${DistributedEnvironment.TimeoutSeconds} or 60).", HelpName = "SECONDS" };
        var command = new Command("worker", "One process of a multi-process (data-parallel) training run; `train --world-size N` starts these.");
        foreach (var argument in train.Arguments.ToList())
            command.Arguments.Add(argument);
        foreach (var option in train.Options.ToList())
            command.Options.Add(option);
        command.Options.Add(rank);
        command.Options.Add(address);
        command.Options.Add(port);
        command.Options.Add(timeout);
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            DistributedOptions distributed;
            try
            {
                distributed = DistributedOptions.FromEnvironment();
                if (IsExplicit(parseResult, "--world-size"))
                    distributed = distributed with { WorldSize = parseResult.GetValue<int>("--world-size") };
                if (IsExplicit(parseResult, "--backend"))
                    distributed = distributed with { Backend = DistributedBackendNames.Parse(parseResult.GetValue<string>("--backend")!) };
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
            var request = ReadRequest(parseResult, distributed);
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
        var own = request with { WorldSize = distributed.WorldSize, Backend = distributed.Backend.ToName(), Events = distributed.Rank == 0 ? request.Events : null };
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
            error.WriteLine($"train: --world-size {request.WorldSize} starts worker processes of the phoenix-slt program, but this process is another program; run `phoenix-slt train ... --world-size {request.WorldSize}`, or start `phoenix-slt worker` processes yourself");
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
        return Enumerable.Range(0, request.WorldSize).Select(rank =>
        {
            var (device, gpu) = WorkerLaunchPlan.WorkerDevice(request.Options.Device, rank);
            var workerRequest = request with { Options = request.Options with { Device = device }, Events = rank == 0 ? request.Events : null };
            string[] arguments =
            [
                .. executable.PrefixArguments, "worker", .. Arguments(workerRequest),
                RankOption, Invariant(rank), MasterAddressOption, masterAddress, MasterPortOption, Invariant(masterPort),
            ];
            return new WorkerProcess(rank, executable.FileName, arguments, WorkerLaunchPlan.Environment(gpu));
        }).ToList();
    }

    /// The train options of <paramref name="request"/> as command-line arguments (phase first); paths absolute.
    public static IReadOnlyList<string> Arguments(TrainCommand.Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = request.Options;
        var args = new List<string> { o.Phase.ToName(), "--data", Path.GetFullPath(o.DataDir), "--out", Path.GetFullPath(o.OutDir), "--preset", o.Preset };
        void Add(string name, string? value)
        {
            if (value is not null)
                args.AddRange([name, value]);
        }
        Add("--init", o.Init is null ? null : Path.GetFullPath(o.Init));
        Add("--mbart", o.MBart is null ? null : Path.GetFullPath(o.MBart));
        Add("--epochs", o.Epochs is int e ? Invariant(e) : null);
        Add("--max-steps", o.MaxSteps is long s ? Invariant(s) : null);
        Add("--batch-size", Invariant(o.BatchSize));
        Add("--accumulate", Invariant(o.Accumulate));
        Add("--lr-encoder", o.LrEncoder is double le ? Invariant(le) : null);
        Add("--lr-decoder", o.LrDecoder is double ld ? Invariant(ld) : null);
        Add("--amp", o.Amp);
        Add("--device", o.Device);
        Add("--world-size", Invariant(request.WorldSize));
        Add("--backend", request.Backend);
        Add("--seed", Invariant(o.Seed));
        Add("--max-frames", o.MaxFrames is int f ? Invariant(f) : null);
        Add("--patience", o.Patience is int p ? Invariant(p) : null);
        Add("--beams", Invariant(o.Beams));
        Add("--eval-every", o.EvalEverySteps is long ev ? Invariant(ev) : null);
        Add("--log-every", Invariant(o.LogEvery));
        Add("--warmup-steps", o.WarmupSteps is long w ? Invariant(w) : null);
        Add("--weight-decay", Invariant(o.WeightDecay));
        Add("--save-every", o.SaveEverySteps is long se ? Invariant(se) : null);
        Add("--loader-workers", o.LoaderWorkers is int lw ? Invariant(lw) : null);
        if (request.Resume || o.Resume)
            args.Add("--resume");
        Add("--events", request.Events is null or "-" ? request.Events : Path.GetFullPath(request.Events));
        return args;
    }

    /// The request a worker's (or train's) options describe, read by option name.
    public static TrainCommand.Request ReadRequest(ParseResult parseResult, DistributedOptions distributed)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(distributed);
        var options = new TrainRunOptions
        {
            Phase = TrainingPhaseNames.Parse(parseResult.GetValue<string>("phase")!),
            DataDir = parseResult.GetValue<string>("--data")!,
            OutDir = parseResult.GetValue<string>("--out")!,
            Preset = parseResult.GetValue<string>("--preset")!,
            Init = parseResult.GetValue<string?>("--init"),
            MBart = parseResult.GetValue<string?>("--mbart"),
            Epochs = parseResult.GetValue<int?>("--epochs"),
            MaxSteps = parseResult.GetValue<long?>("--max-steps"),
            BatchSize = parseResult.GetValue<int>("--batch-size"),
            Accumulate = parseResult.GetValue<int>("--accumulate"),
            LrEncoder = parseResult.GetValue<double?>("--lr-encoder"),
            LrDecoder = parseResult.GetValue<double?>("--lr-decoder"),
            Amp = parseResult.GetValue<string>("--amp")!,
            Device = parseResult.GetValue<string>("--device")!,
            Seed = parseResult.GetValue<int>("--seed"),
            MaxFrames = parseResult.GetValue<int?>("--max-frames"),
            Patience = parseResult.GetValue<int?>("--patience"),
            Beams = parseResult.GetValue<int>("--beams"),
            EvalEverySteps = parseResult.GetValue<long?>("--eval-every"),
            LogEvery = parseResult.GetValue<int>("--log-every"),
            WarmupSteps = parseResult.GetValue<long?>("--warmup-steps"),
            WeightDecay = parseResult.GetValue<double>("--weight-decay"),
            Resume = parseResult.GetValue<bool>("--resume"),
            SaveEverySteps = parseResult.GetValue<long?>("--save-every"),
            LoaderWorkers = parseResult.GetValue<int?>("--loader-workers"),
        };
        return new TrainCommand.Request(options, distributed.WorldSize, distributed.Backend.ToName(), parseResult.GetValue<bool>("--resume"), parseResult.GetValue<string?>("--events"));
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

    private static bool IsExplicit(ParseResult parseResult, string name)
        => parseResult.GetResult(name) is System.CommandLine.Parsing.OptionResult { Implicit: false };

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
