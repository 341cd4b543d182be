using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Tests.Jobs;

/// The queue loop of <see cref="JobRunner{TJob}"/> with a scripted job kind: order, device slots, claims, cancel
/// requests and failures.
public sealed class JobRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Runner_OneSlotPerDevice_SecondCpuJobWaitsForTheFirstWhileAJobOnAnotherDeviceStarts()
    {
        var kind = new ScriptedKind(new Job(1, "cpu"), new Job(2, "cpu"), new Job(3, "cuda:0"));
        using var runner = await StartAsync(kind);

        await Eventually(() => kind.Started.Contains(1) && kind.Started.Contains(3));
        await Task.Delay(200);
        Assert.DoesNotContain(2, kind.Started);
        Assert.Equal([1, 3], runner.Active.Order());

        kind.Finish(1);                                             // gives the cpu slot back, which wakes the loop

        await Eventually(() => kind.Started.Contains(2));
        Assert.Equal(2, kind.Started[^1]);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task RequestCancel_RunningJob_ReachesItsActiveJobAndUnknownIdsAreRefused()
    {
        var kind = new ScriptedKind(new Job(1, "cpu"));
        using var runner = await StartAsync(kind);
        await Eventually(() => kind.Started.Contains(1));

        Assert.False(runner.RequestCancel(42));
        Assert.True(runner.RequestCancel(1));

        await Eventually(() => kind.Cancelled.Contains(1));
        await Eventually(() => runner.Active.Count == 0 && runner.Slots.InUse("cpu") == 0);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Runner_JobThrows_FailAsyncGetsTheErrorAndTheSlotIsGivenBack()
    {
        var kind = new ScriptedKind(new Job(1, "cpu")) { Throw = new IOException("disk gone") };
        using var runner = await StartAsync(kind);

        await Eventually(() => kind.Failed.ContainsKey(1));

        Assert.Equal("disk gone", kind.Failed[1].Message);
        await Eventually(() => runner.Active.Count == 0 && runner.Slots.InUse("cpu") == 0);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Runner_ClaimRefused_JobNeverRunsAndTheSlotIsGivenBack()
    {
        var kind = new ScriptedKind(new Job(1, "cpu"), new Job(2, "cpu")) { Unclaimable = { 1 } };
        using var runner = await StartAsync(kind);

        await Eventually(() => kind.Started.Contains(2));

        Assert.Equal([2], kind.Started);
        Assert.Equal(1, runner.Slots.InUse("cpu"));
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StartAsync_DatabaseNotReady_NothingIsRecoveredOrStarted()
    {
        var kind = new ScriptedKind(new Job(1, "cpu"));
        using var runner = new Runner(kind, new DatabaseState());

        await runner.StartAsync(CancellationToken.None);
        await Task.Delay(200);

        Assert.False(kind.Recovered);
        Assert.Empty(kind.Started);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StopAsync_JobInFlight_SeesTheStoppingTokenAndTheRunnerWaitsForIt()
    {
        var kind = new ScriptedKind(new Job(1, "cpu"));
        using var runner = await StartAsync(kind);
        await Eventually(() => kind.Started.Contains(1));

        await runner.StopAsync(CancellationToken.None);

        Assert.Contains(1, kind.Stopped);
        Assert.True(kind.Recovered);
    }

    private static async Task<Runner> StartAsync(ScriptedKind kind)
    {
        var database = new DatabaseState();
        database.MarkReady();
        var runner = new Runner(kind, database);
        await runner.StartAsync(CancellationToken.None);
        return runner;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(10);
        }
    }

    private sealed record Job(int Id, string Device);

    private sealed class Runner(ScriptedKind kind, DatabaseState database)
        : JobRunner<Job>(kind, new DeviceSlots(1), database, NullLogger.Instance)
    {
        public IReadOnlyCollection<int> Active => ActiveIds;
    }

    /// Jobs that run until the test finishes them, the user cancels them or the runner stops.
    private sealed class ScriptedKind(params Job[] queue) : IJobKind<Job>
    {
        private readonly List<Job> _queue = [.. queue];
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _finish = new();
        private readonly Lock _gate = new();

        private readonly List<int> _started = [];

        public int[] Started
        {
            get
            {
                lock (_gate)
                    return [.. _started];
            }
        }

        public ConcurrentBag<int> Cancelled { get; } = [];
        public ConcurrentBag<int> Stopped { get; } = [];
        public ConcurrentDictionary<int, Exception> Failed { get; } = new();
        public HashSet<int> Unclaimable { get; } = [];
        public Exception? Throw { get; init; }
        public bool Recovered { get; private set; }

        public string Noun => "job";

        public void Finish(int id) => _finish.GetOrAdd(id, _ => new TaskCompletionSource()).TrySetResult();

        public Task RecoverAsync(CancellationToken cancellationToken)
        {
            Recovered = true;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Job>> QueuedAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
                return Task.FromResult<IReadOnlyList<Job>>([.. _queue]);
        }

        public int IdOf(Job job) => job.Id;

        public IReadOnlyCollection<string> DevicesOf(Job job) => [job.Device];

        public Task<Job?> ClaimAsync(int id, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                var job = _queue.Find(j => j.Id == id);
                _queue.RemoveAll(j => j.Id == id);
                return Task.FromResult(Unclaimable.Contains(id) ? null : job);
            }
        }

        public async Task RunAsync(ActiveJob active, Job job, CancellationToken stoppingToken)
        {
            lock (_gate)
                _started.Add(job.Id);
            if (Throw is not null)
                throw Throw;
            var finish = _finish.GetOrAdd(job.Id, _ => new TaskCompletionSource()).Task;
            var cancel = Task.Delay(System.Threading.Timeout.Infinite, active.CancelToken);
            var stop = Task.Delay(System.Threading.Timeout.Infinite, stoppingToken);
            var first = await Task.WhenAny(finish, cancel, stop);
            if (first == cancel)
                Cancelled.Add(job.Id);
            else if (first == stop)
                Stopped.Add(job.Id);
        }

        public Task FailAsync(int id, Exception error)
        {
            Failed[id] = error;
            return Task.CompletedTask;
        }
    }
}
