using System.Diagnostics;
using PhoenixSlt.Training.Launch;

namespace PhoenixSlt.Training.Tests.Launch;

/// The launcher on real processes of /bin/sh.
public sealed class WorkerLauncherTests
{
    private static readonly TimeSpan ShortGrace = TimeSpan.FromMilliseconds(500);

    private static WorkerProcess Shell(int rank, string script, IReadOnlyDictionary<string, string>? environment = null)
        => new(rank, "/bin/sh", ["-c", script], environment ?? new Dictionary<string, string>());

    [Fact]
    public async Task RunAsync_AllWorkersSucceed_ForwardsEachLineWithItsRank()
    {
        var output = new List<(int, string)>();
        var error = new List<(int, string)>();
        var environment = new Dictionary<string, string> { ["PHOENIX_TEST_VALUE"] = "seven" };

        await WorkerLauncher.RunAsync(
            [Shell(0, "echo out0; echo err0 >&2"), Shell(1, "echo \"out1 $PHOENIX_TEST_VALUE\"", environment)],
            (rank, line) => output.Add((rank, line)), (rank, line) => error.Add((rank, line)));

        Assert.Equal([(0, "out0"), (1, "out1 seven")], output.OrderBy(o => o.Item1));
        Assert.Equal([(0, "err0")], error);
    }

    [Fact]
    public async Task RunAsync_WorkersThatExitAtOnce_AllCountAsSucceeded()
    {
        // Workers that have exited before the launcher waits share the same completed wait task; each must still be
        // accounted for (this failed with "an item with the same key has already been added" under load).
        var workers = Enumerable.Range(0, 8).Select(rank => Shell(rank, "true")).ToList();

        for (int attempt = 0; attempt < 5; attempt++)
            await WorkerLauncher.RunAsync(workers, (_, _) => { }, (_, _) => { });
    }

    [Fact]
    public async Task RunAsync_OneWorkerFails_KillsTheOthersAndNamesTheRankAndCode()
    {
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<WorkerLaunchException>(() => WorkerLauncher.RunAsync(
            [Shell(0, "sleep 30"), Shell(1, "exit 3")], (_, _) => { }, (_, _) => { }, ShortGrace));

        Assert.Equal(1, e.Rank);
        Assert.Equal(3, e.ExitCode);
        Assert.Contains("worker rank 1 exited with code 3", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: the sleeping worker was not killed");
    }

    [Fact]
    public async Task RunAsync_WorkerKilledBySignal_SaysWhichSignal()
    {
        var e = await Assert.ThrowsAsync<WorkerLaunchException>(() => WorkerLauncher.RunAsync(
            [Shell(0, "sleep 30"), Shell(1, "kill -9 $$")], (_, _) => { }, (_, _) => { }, ShortGrace));

        Assert.Equal(1, e.Rank);
        Assert.Contains("worker rank 1 was killed by signal 9", e.Message);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsAllWorkers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WorkerLauncher.RunAsync(
            [Shell(0, "sleep 30"), Shell(1, "sleep 30")], (_, _) => { }, (_, _) => { }, ShortGrace, cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_MissingExecutable_NamesTheRank()
    {
        var e = await Assert.ThrowsAsync<WorkerLaunchException>(() => WorkerLauncher.RunAsync(
            [Shell(0, "sleep 30"), new WorkerProcess(1, "/no/such/phoenix-slt", [], new Dictionary<string, string>())],
            (_, _) => { }, (_, _) => { }, ShortGrace));

        Assert.Equal(1, e.Rank);
        Assert.Null(e.ExitCode);
        Assert.Contains("/no/such/phoenix-slt", e.Message);
    }

    [Theory]
    [InlineData("cpu", 1, "cpu", null)]
    [InlineData("cuda", 0, "cuda:0", 0)]
    [InlineData("cuda", 3, "cuda:0", 3)]
    [InlineData("cuda:2", 1, "cuda:0", 3)]
    public void WorkerDevice_RunDeviceAndRank_GivesEachWorkerItsOwnGpu(string device, int rank, string expectedDevice, int? expectedGpu)
    {
        var (workerDevice, gpu) = WorkerLaunchPlan.WorkerDevice(device, rank);

        Assert.Equal(expectedDevice, workerDevice);
        Assert.Equal(expectedGpu, gpu);
        var environment = WorkerLaunchPlan.Environment(gpu);
        Assert.Equal(expectedGpu?.ToString(System.Globalization.CultureInfo.InvariantCulture), environment.GetValueOrDefault(WorkerLaunchPlan.CudaVisibleDevices));
    }

    [Theory]
    [InlineData("/usr/share/dotnet/dotnet", true)]
    [InlineData("/opt/phoenix/phoenix-slt", false)]
    public void IsDotnetHost_ExecutablePath_RecognisesTheDotnetHost(string path, bool expected)
        => Assert.Equal(expected, WorkerExecutable.IsDotnetHost(path));

    [Fact]
    public void Environment_AnyWorker_CarriesTheGen0BudgetTheTestHostAlsoRunsWith()
    {
        // The test host gets the variable from tests/phoenix.runsettings; workers inherit it or get the default.
        string? inherited = System.Environment.GetEnvironmentVariable(WorkerLaunchPlan.GcGen0SizeVariable);
        Assert.Equal(WorkerLaunchPlan.GcGen0SizeValue, inherited);
        var environment = WorkerLaunchPlan.Environment(null);
        Assert.False(environment.ContainsKey(WorkerLaunchPlan.CudaVisibleDevices));
        Assert.False(environment.ContainsKey(WorkerLaunchPlan.GcGen0SizeVariable)); // inherited, not overridden
    }
}
