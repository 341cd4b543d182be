using System.CommandLine;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Launch;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Cli.Tests;

[Collection(SltCheckpointCollection.Name)]
public sealed class WorkerCommandTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("phoenix-cli-worker");
    private readonly string _data;

    public WorkerCommandTests()
    {
        _data = Path.Combine(_root, "data");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(_data, Train: 8, Dev: 2, Test: 0, Seed: 5) { MaxParallelism = 2 });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// phoenix-slt.dll next to the tests, run by the dotnet host.
    private static WorkerExecutable BuiltCli()
    {
        string host = Environment.ProcessPath is { } path && WorkerExecutable.IsDotnetHost(path) ? path : "dotnet";
        return WorkerExecutable.ForAssembly(host, Path.Combine(AppContext.BaseDirectory, "phoenix-slt.dll"));
    }

    private TrainCommand.Request Request(string outDir, string dataDir, string? events) => new(
        new RunSpec { Phase = TrainingPhaseNames.Slt, Data = dataDir, Out = outDir, MaxSteps = 2, BatchSize = 2, Beams = 1, LogEvery = 1, EvalEvery = 2, WorldSize = 2, Backend = "tcp" },
        Resume: false, Events: events);

    [Fact]
    public void Arguments_ParsedByTheWorkerCommand_GiveBackTheRequest()
    {
        Directory.CreateDirectory(Path.Combine(_root, "init"));
        Directory.CreateDirectory(Path.Combine(_root, "mbart"));
        var request = new TrainCommand.Request(
            new RunSpec
            {
                Phase = TrainingPhaseNames.Vlp, Data = _data, Out = Path.Combine(_root, "out"), Preset = "base", Init = Path.Combine(_root, "init"),
                Mbart = Path.Combine(_root, "mbart"), Epochs = 3, MaxSteps = 17, BatchSize = 5, Accumulate = 2, LrEncoder = 3.25e-4, LrDecoder = 1e-6,
                Amp = "bf16", Device = "cpu", Seed = 9, MaxFrames = 64, Patience = 4, Beams = 2, EvalEvery = 7, LogEvery = 3,
                WarmupSteps = 11, WeightDecay = 0.125, SaveEvery = 6, MaxGradNorm = null, WorldSize = 3, Backend = "tcp",
            },
            Resume: true, Events: Path.Combine(_root, "events.jsonl"));
        var parsed = new RootCommand { WorkerCommand.Create() }.Parse(["worker", .. WorkerCommand.Arguments(request)]);

        Assert.Empty(parsed.Errors);
        var (spec, problems) = TrainCommand.Resolve(new TrainSpecOptions().Read(parsed));
        Assert.True(problems.IsValid, string.Join(" ", problems.Messages));
        Assert.Equal(request.Spec, spec);
        Assert.True(parsed.GetValue<bool>("--resume"));
        Assert.Equal(request.Events, parsed.GetValue<string?>("--events"));
    }

    [Fact]
    public void Workers_CudaRun_GiveEachRankItsGpuAndOnlyRankZeroTheEvents()
    {
        var request = Request(Path.Combine(_root, "out"), _data, "-") with { Spec = Request("o", _data, null).Spec with { Device = "cuda" } };

        var workers = WorkerCommand.Workers(request, WorkerExecutable.ForAssembly("dotnet", "phoenix-slt.dll"), "127.0.0.1", 4321);

        Assert.Equal([0, 1], workers.Select(w => w.Rank));
        Assert.All(workers, w => Assert.Equal(["phoenix-slt.dll", "worker", "slt"], w.Arguments.Take(3)));
        Assert.Equal(["0", "1"], workers.Select(w => w.Environment[WorkerLaunchPlan.CudaVisibleDevices]));
        Assert.All(workers, w => Assert.Equal("cuda:0", ValueOf(w, "--device")));
        Assert.Equal(["0", "1"], workers.Select(w => ValueOf(w, WorkerCommand.RankOption)));
        Assert.All(workers, w => Assert.Equal("4321", ValueOf(w, WorkerCommand.MasterPortOption)));
        Assert.Equal("-", ValueOf(workers[0], "--events"));
        Assert.DoesNotContain("--events", workers[1].Arguments);
    }

    [Fact]
    public void Workers_Threads_PassedAsTheFlagAndTheOpenMpEnvironment()
    {
        var request = Request(Path.Combine(_root, "out"), _data, null) with { Spec = Request("o", _data, null).Spec with { Threads = 1 } };

        var workers = WorkerCommand.Workers(request, WorkerExecutable.ForAssembly("dotnet", "phoenix-slt.dll"), "127.0.0.1", 4321);

        Assert.All(workers, w => Assert.Equal("1", ValueOf(w, "--threads")));
        Assert.All(workers, w => Assert.Equal("1", w.Environment[ThreadBudget.OmpNumThreads]));
        Assert.All(workers, w => Assert.Equal(ThreadBudget.PassiveWait, w.Environment[ThreadBudget.OmpWaitPolicy]));
    }

    [Fact]
    public void Launch_TwoCpuWorkers_FinishWithRankZerosEventsAndCheckpoints()
    {
        string outDir = Path.Combine(_root, "out");
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exit = WorkerCommand.Launch(Request(outDir, _data, "-"), BuiltCli(), output, error, TimeSpan.FromSeconds(5));

        Assert.True(exit == TrainCommand.ExitOk, $"exit {exit}; stderr:\n{error}");
        var events = output.ToString().TrimEnd('\n').Split('\n').Select(ProgressEventJson.Parse).ToList();
        var started = Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal(2, started.WorldSize);
        Assert.Single(events.OfType<RunStartedEvent>());                  // rank 1 wrote no events
        Assert.Equal([1, 2], events.OfType<StepEvent>().Select(s => s.Step));
        var finished = Assert.IsType<FinishedEvent>(events[^1]);
        Assert.Equal(CheckpointPhase.Slt, CheckpointMetadata.Load(finished.BestCheckpoint!).Phase);
        Assert.True(Directory.Exists(Path.Combine(outDir, "last")), "rank 0 wrote last/");
        Assert.Contains("[rank 0] ", error.ToString());                    // rank 0's progress lines, prefixed
    }

    [Fact]
    public void Launch_OneWorkerDies_FailsNamingTheRankWithAFailedEvent()
    {
        string outDir = Path.Combine(_root, "out");
        string eventsFile = Path.Combine(_root, "events.jsonl");
        var request = Request(outDir, _data, eventsFile);
        var executable = BuiltCli();
        // rank 1 is pointed at a folder without data: it exits while rank 0 waits for it at the rendezvous
        var workers = WorkerCommand.Workers(request, executable, "127.0.0.1", WorkerLaunchPlan.FreePort());
        var broken = workers[1] with { Arguments = [.. workers[1].Arguments.Select(a => a == Path.GetFullPath(_data) ? Path.Combine(_root, "missing") : a)] };
        var error = new List<string>();

        var e = Assert.Throws<WorkerLaunchException>(() => WorkerLauncher.RunAsync(
            [workers[0], broken], (_, _) => { }, (rank, line) => error.Add($"[rank {rank}] {line}"), TimeSpan.FromSeconds(1)).GetAwaiter().GetResult());

        Assert.Equal(1, e.Rank);
        Assert.Equal(TrainCommand.ExitFailed, e.ExitCode);
        Assert.Contains("worker rank 1 exited with code 1", e.Message);
        Assert.Contains(error, l => l.StartsWith("[rank 1] worker: data '", StringComparison.Ordinal) && l.Contains("folder not found", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(outDir, "last")), "nothing was trained");
    }

    [Fact]
    public void Worker_RankOutsideTheWorld_ExitsOneNamingTheRank()
    {
        var result = CliRunner.Run(WorkerCommand.Create(), "worker", "slt", "--data", _data, "--out", Path.Combine(_root, "out"), "--max-steps", "1",
            "--world-size", "2", "--rank", "2", "--master-port", "29999");

        Assert.Equal(TrainCommand.ExitFailed, result.ExitCode);
        Assert.Contains("worker: rank 2 is outside 0..1", result.Error);
    }

    [Fact]
    public void Launch_FromAnotherProgram_ExitsOneInsteadOfStartingThatProgram()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exit = WorkerCommand.Launch(Request(Path.Combine(_root, "out"), _data, null), output, error);

        Assert.Equal(TrainCommand.ExitFailed, exit);   // the test host is not phoenix-slt
        Assert.Contains("run `phoenix-slt train ... --world-size 2`", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(_root, "out")), "no worker ran");
    }

    private static string ValueOf(WorkerProcess worker, string option)
    {
        var arguments = worker.Arguments.ToList();
        int index = arguments.IndexOf(option);
        Assert.True(index >= 0, $"{option} missing in {string.Join(' ', arguments)}");
        return arguments[index + 1];
    }
}
