using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PhoenixSlt.Training.Distributed;

namespace PhoenixSlt.Training.Tests.Distributed;

/// What one rank's body returned or threw, and when it finished.
public sealed record RankOutcome<T>(int Rank, T? Value, Exception? Error, TimeSpan Elapsed);

/// Runs W ranks of a <see cref="TcpProcessGroup"/> inside the test process, each on its own thread, connected
/// through a rendezvous store on 127.0.0.1 with a port picked by the system.
public static class RingHarness
{
    /// Bound on a whole multi-rank test (a hang fails the test instead of the run).
    private static readonly TimeSpan TestBound = TimeSpan.FromSeconds(90);

    /// Every rank's return value; rethrows the first rank's failure.
    public static T[] Run<T>(int worldSize, Func<IProcessGroup, T> body, TimeSpan? timeout = null)
    {
        var outcomes = RunEach(worldSize, body, timeout);
        foreach (var outcome in outcomes)
            if (outcome.Error is not null)
                throw new InvalidOperationException($"rank {outcome.Rank} failed: {outcome.Error.Message}", outcome.Error);
        return outcomes.Select(o => o.Value!).ToArray();
    }

    /// Every rank's outcome, failures included. Elapsed time is measured from the moment all groups are built.
    public static RankOutcome<T>[] RunEach<T>(int worldSize, Func<IProcessGroup, T> body, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        using var host = TcpStore.HostAsync("127.0.0.1", 0, limit).GetAwaiter().GetResult();
        using var ready = new Barrier(worldSize);
        var tasks = Enumerable.Range(0, worldSize).Select(rank => Task.Factory.StartNew(() =>
        {
            using var store = rank == 0 ? null : TcpStore.ConnectAsync("127.0.0.1", host.Port, limit).GetAwaiter().GetResult();
            using var group = TcpProcessGroup.CreateAsync(store ?? host, rank, worldSize, limit).GetAwaiter().GetResult();
            ready.SignalAndWait(TestBound);
            var clock = Stopwatch.StartNew();
            try
            {
                return new RankOutcome<T>(rank, body(group), null, clock.Elapsed);
            }
            catch (Exception e)
            {
                return new RankOutcome<T>(rank, default, e, clock.Elapsed);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        if (!Task.WaitAll(tasks, TestBound))
            throw new TimeoutException($"ranks did not finish within {TestBound}");
        return tasks.Select(t => t.Result).ToArray();
    }

    /// A port that was free a moment ago (for tests that need to know the port before anything listens on it).
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
