using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Training;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Integration;
using PhoenixSlt.Web.Tests.Runs;
using PhoenixSlt.Web.Tests.Translation;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// The evaluation runner and the training supervisor over one Sqlite file with one slot per device, as the portal
/// wires them: real `phoenix-slt train` and `phoenix-slt evaluate` processes on the tiny slt checkpoint's synthetic
/// dataset.
[Collection(SltCheckpointCollection.Name)]
public sealed class EvaluationRunnerTests(SltCheckpointFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan LongGrace = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Runner_RunHoldsTheOnlyCpuSlot_EvaluationStaysQueuedUntilTheRunFinishes()
    {
        await using var rig = await Rig.StartAsync(fixture, LongGrace);
        var run = (await rig.Runs.CreateAsync(TrainingTestHost.TinySlt(maxSteps: 2))).Run!;
        await rig.WaitForRunAsync(run.Id, r => r.Status == JobStatus.Running);

        var evaluation = await rig.SubmitAsync();
        bool seenQueuedWhileRunRuns = false;
        while (true)
        {
            var runRow = await rig.RunRowAsync(run.Id);
            var evaluationRow = await rig.EvaluationRowAsync(evaluation.Id);
            if (runRow.Status != JobStatus.Running)
                break;
            Assert.Equal(JobStatus.Queued, evaluationRow.Status);
            seenQueuedWhileRunRuns = true;
            await Task.Delay(100);
        }

        var finishedRun = await rig.WaitForRunAsync(run.Id, r => r.Status.IsFinal());
        var done = await rig.WaitForEvaluationAsync(evaluation.Id, JobStatus.Completed);
        Assert.True(seenQueuedWhileRunRuns);
        Assert.Equal(JobStatus.Completed, finishedRun.Status);
        Assert.True(done.StartedAt >= finishedRun.FinishedAt, $"evaluation started {done.StartedAt:O}, run finished {finishedRun.FinishedAt:O}");
        Assert.Equal(4, done.Clips);                                // the fixture's dev split
    }

    [Fact]
    public async Task Supervisor_EvaluationHoldsTheOnlyCpuSlot_RunStaysQueuedUntilTheEvaluationFinishes()
    {
        await using var rig = await Rig.StartAsync(fixture, LongGrace);
        var evaluation = await rig.SubmitAsync();
        await rig.WaitForEvaluationAsync(evaluation.Id, JobStatus.Running);

        var run = (await rig.Runs.CreateAsync(TrainingTestHost.TinySlt(maxSteps: 2))).Run!;
        bool seenQueuedWhileEvaluationRuns = false;
        while (true)
        {
            var evaluationRow = await rig.EvaluationRowAsync(evaluation.Id);
            var runRow = await rig.RunRowAsync(run.Id);
            if (evaluationRow.Status != JobStatus.Running)
                break;
            Assert.Equal(JobStatus.Queued, runRow.Status);
            seenQueuedWhileEvaluationRuns = true;
            await Task.Delay(100);
        }

        var done = await rig.WaitForEvaluationAsync(evaluation.Id, JobStatus.Completed);
        var started = await rig.WaitForRunAsync(run.Id, r => r.StartedAt is not null);
        await rig.Runs.CancelAsync(run.Id);                         // it started; no need to train it to the end
        await rig.WaitForRunAsync(run.Id, r => r.Status.IsFinal());
        Assert.True(seenQueuedWhileEvaluationRuns);
        Assert.True(started.StartedAt >= done.FinishedAt, $"run started {started.StartedAt:O}, evaluation finished {done.FinishedAt:O}");
    }

    [Fact]
    public async Task CancelAsync_QueuedEvaluation_CancelledAtOnceAndNeverStarted()
    {
        await using var rig = await Rig.StartAsync(fixture, LongGrace);
        var published = new List<EvaluationInfo>();
        using var subscription = rig.Notifier.Subscribe(e =>
        {
            lock (published)
                published.Add(e!);
        });
        var slot = rig.Supervisor.Slots.TryAcquire(["cpu"]);        // the device is busy
        Assert.NotNull(slot);
        var evaluation = await rig.SubmitAsync();

        var result = await rig.Evaluations.CancelAsync(evaluation.Id);

        Assert.Equal(EvaluationCancelOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobStatus.Cancelled, result.Evaluation!.Status);
        Assert.NotNull(result.Evaluation.FinishedAt);
        Assert.Null(result.Evaluation.StartedAt);
        lock (published)
            Assert.Equal(JobStatus.Cancelled, published.Last(e => e.Id == evaluation.Id).Status);
        slot!.Dispose();                                            // the runner wakes and looks at the queue again
        await Task.Delay(TimeSpan.FromSeconds(1));
        var row = await rig.EvaluationRowAsync(evaluation.Id);
        Assert.Equal((JobStatus.Cancelled, (DateTime?)null), (row.Status, row.StartedAt));
        Assert.False(Directory.Exists(rig.WorkDir(evaluation.Id)));
        Assert.Empty(rig.Runner.ActiveEvaluationIds);
        Assert.Equal(0, rig.Supervisor.Slots.InUse("cpu"));
    }

    [Fact]
    public async Task CancelAsync_RunningEvaluation_ProcessStopsOnSigtermAndEvaluationIsCancelled()
    {
        await using var rig = await Rig.StartAsync(fixture, LongGrace);
        var evaluation = await rig.SubmitAsync();
        int pid = await rig.WaitForProcessAsync(evaluation.Id);
        var clock = Stopwatch.StartNew();

        var result = await rig.Evaluations.CancelAsync(evaluation.Id);

        Assert.Equal(EvaluationCancelOutcome.Stopping, result.Outcome);
        Assert.Equal(JobStatus.Running, result.Evaluation!.Status);
        var row = await rig.WaitForEvaluationAsync(evaluation.Id, JobStatus.Cancelled);
        Assert.True(clock.Elapsed < LongGrace, $"stopping took {clock.Elapsed}: the process was killed after the grace period, not stopped by SIGTERM");
        Assert.Null(row.Error);
        Assert.NotNull(row.FinishedAt);
        Assert.False(IsAlive(pid));
        Assert.False(File.Exists(Path.Combine(rig.WorkDir(evaluation.Id), "hypotheses.txt")));
        Assert.Equal(0, rig.Supervisor.Slots.InUse("cpu"));
    }

    [Fact]
    public async Task CancelAsync_FrozenEvaluationProcess_KilledAfterTheGracePeriod()
    {
        var grace = TimeSpan.FromSeconds(1);
        await using var rig = await Rig.StartAsync(fixture, grace);
        EvaluationInfo evaluation;
        int pid;
        for (int attempt = 1; ; attempt++)
        {
            evaluation = await rig.SubmitAsync();
            pid = await rig.WaitForProcessAsync(evaluation.Id);
            TrainingTestHost.Freeze(pid);                           // SIGTERM stays pending; only the kill ends it
            if (IsStopped(pid))
                break;
            // the 4-clip evaluation ended before it could be frozen (a loaded machine): let it end and take another
            Assert.True(attempt < 5, $"no evaluation process could be frozen alive in {attempt} attempts");
            await rig.WaitForEvaluationEndAsync(evaluation.Id);
        }
        var clock = Stopwatch.StartNew();

        await rig.Evaluations.CancelAsync(evaluation.Id);

        var row = await rig.WaitForEvaluationAsync(evaluation.Id, JobStatus.Cancelled);
        Assert.True(clock.Elapsed >= grace * 0.9, $"cancelled after {clock.Elapsed}, before the grace period of {grace}");
        Assert.False(IsAlive(pid));
        Assert.NotNull(row.FinishedAt);
    }

    [Fact]
    public async Task CancelAsync_FinishedOrUnknownEvaluation_AlreadyFinishedOrNotFound()
    {
        await using var rig = await Rig.StartAsync(fixture, LongGrace);
        using var slot = rig.Supervisor.Slots.TryAcquire(["cpu"]);
        var evaluation = await rig.SubmitAsync();
        await rig.Evaluations.CancelAsync(evaluation.Id);

        var again = await rig.Evaluations.CancelAsync(evaluation.Id);
        var missing = await rig.Evaluations.CancelAsync(evaluation.Id + 100);

        Assert.Equal(EvaluationCancelOutcome.AlreadyFinished, again.Outcome);
        Assert.Contains("is cancelled; only queued or running evaluations can be cancelled", again.Message, StringComparison.Ordinal);
        Assert.Equal((EvaluationCancelOutcome.NotFound, (EvaluationInfo?)null), (missing.Outcome, missing.Evaluation));
    }

    /// True when process <paramref name="pid"/> exists and is stopped (state T in /proc/PID/stat), not ended or a zombie.
    private static bool IsStopped(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// Supervisor, run service, evaluation runner and service over a fresh Sqlite file; data root = the fixture's,
    /// checkpoint root in the test's own folder; one slot per device.
    private sealed class Rig : IAsyncDisposable
    {
        private readonly SqliteTestDatabase _database = new();
        private readonly IDbContextFactory<PhoenixDbContext> _contexts;
        private readonly PhoenixPaths _paths;
        private int _checkpointId;

        private Rig(SltCheckpointFixture fixture, TimeSpan grace)
        {
            _contexts = _database.Factory();
            _paths = new PhoenixPaths(MsOptions.Create(new PhoenixOptions
            {
                DataRoot = Path.GetDirectoryName(fixture.DataDir)!,
                CheckpointRoot = Path.Combine(_database.Root, "checkpoints"),
                DefaultDataset = Path.GetFileName(fixture.DataDir),
            }), new TestEnvironment(_database.Root));
            var training = MsOptions.Create(new TrainingOptions
            {
                MaxConcurrentRunsPerDevice = 1,
                PollInterval = TimeSpan.FromMilliseconds(100),
                CancelGracePeriod = grace,
                Environment = { ["OMP_NUM_THREADS"] = "1" },
            });
            var state = new DatabaseState();
            state.MarkReady();
            var catalog = new DatasetCatalog(_paths);
            var runNotifier = new RunNotifier(NullLogger<RunNotifier>.Instance);
            Supervisor = new TrainingSupervisor(_contexts, state, catalog, _paths, runNotifier, new ProcessControl(), training, TimeProvider.System,
                NullLogger<TrainingSupervisor>.Instance);
            Runs = new RunService(_contexts, catalog, _paths, Supervisor, runNotifier, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new PhoenixSlt.Web.Options.BeamOptions()));
            Runner = new EvaluationRunner(_contexts, state, Notifier, Supervisor, _paths, training,
                MsOptions.Create(new EvaluationOptions { Device = "cpu", BatchSize = 4 }), TimeProvider.System, NullLogger<EvaluationRunner>.Instance);
            Evaluations = new EvaluationService(_contexts, _paths, Runner, Notifier, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new PhoenixSlt.Web.Options.BeamOptions()));
            Checkpoint = fixture.Checkpoint;
        }

        public TrainingSupervisor Supervisor { get; }
        public RunService Runs { get; }
        public EvaluationNotifier Notifier { get; } = new();
        public EvaluationRunner Runner { get; }
        public EvaluationService Evaluations { get; }
        private string Checkpoint { get; }

        public static async Task<Rig> StartAsync(SltCheckpointFixture fixture, TimeSpan grace)
        {
            var rig = new Rig(fixture, grace);
            await rig.Supervisor.StartAsync(CancellationToken.None);
            await using (var db = await rig._contexts.CreateDbContextAsync())
            {
                var checkpoint = new CheckpointEntity { Path = rig.Checkpoint, Phase = TrainingPhaseNames.Slt, Step = 6, CreatedAt = DateTime.UtcNow };
                db.Checkpoints.Add(checkpoint);
                await db.SaveChangesAsync();
                rig._checkpointId = checkpoint.Id;
            }
            await rig.Runner.StartAsync(CancellationToken.None);
            return rig;
        }

        public string WorkDir(int evaluationId) => Path.Combine(_paths.CheckpointRoot, EvaluationRunner.WorkFolder, evaluationId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        /// Queues an evaluation of the fixture's checkpoint on dev, greedy.
        public async Task<EvaluationInfo> SubmitAsync()
        {
            var submission = await Evaluations.SubmitAsync(_checkpointId, new EvaluationRequest { Split = "dev", Beams = 1 });
            Assert.Empty(submission.Errors);
            return submission.Evaluation!;
        }

        public async Task<EvaluationEntity> EvaluationRowAsync(int id)
        {
            await using var db = await _contexts.CreateDbContextAsync();
            return await db.Evaluations.AsNoTracking().SingleAsync(e => e.Id == id);
        }

        public async Task<RunEntity> RunRowAsync(int id)
        {
            await using var db = await _contexts.CreateDbContextAsync();
            return await db.Runs.AsNoTracking().SingleAsync(r => r.Id == id);
        }

        public async Task<EvaluationEntity> WaitForEvaluationAsync(int id, JobStatus status)
        {
            DateTime deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                var row = await EvaluationRowAsync(id);
                if (row.Status == status)
                    return row;
                if (DateTime.UtcNow > deadline || row.Status.IsFinal())
                    Assert.Fail($"evaluation {id} never got {status}: {row.Status} {row.Error}");
                await Task.Delay(50);
            }
        }

        public async Task<EvaluationEntity> WaitForEvaluationEndAsync(int id)
        {
            DateTime deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                var row = await EvaluationRowAsync(id);
                if (row.Status.IsFinal())
                    return row;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"evaluation {id} never ended: {row.Status}");
                await Task.Delay(50);
            }
        }

        public async Task<RunEntity> WaitForRunAsync(int id, Func<RunEntity, bool> done)
        {
            DateTime deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                var row = await RunRowAsync(id);
                if (done(row))
                    return row;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"run {id}: {row.Status} {row.Error}");
                await Task.Delay(50);
            }
        }

        /// The process id of running evaluation <paramref name="id"/> as soon as it has one.
        public async Task<int> WaitForProcessAsync(int id)
        {
            DateTime deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                if (Runner.ProcessIdOf(id) is int pid)
                    return pid;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"evaluation {id} got no process: {(await EvaluationRowAsync(id)).Status}");
                await Task.Delay(10);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Runner.StopAsync(CancellationToken.None);
            await Supervisor.StopAsync(CancellationToken.None);
            Runner.Dispose();
            Supervisor.Dispose();
            _database.Dispose();
        }
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "PhoenixSlt.Web.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
