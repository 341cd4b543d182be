using System.Diagnostics;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Jobs;

/// <see cref="JobLauncher"/> and <see cref="JobProcess"/> with small shell scripts in place of phoenix-slt.
public sealed class JobProcessTests
{
    private static readonly TimeSpan LongGrace = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// Waits for SIGTERM, then exits with code 3 (as phoenix-slt stops at the next step).
    private const string StopsOnSigterm = "sleep 60 & child=$!; trap 'kill $child; exit 3' TERM; echo ready; wait";

    [Fact]
    public async Task SuperviseAsync_ProcessExits_ExitCodeErrorTailAndEveryOutputLine()
    {
        var output = new ProcessOutput(tailLines: 2, keepLines: true, TimeProvider.System);
        using var process = Start("echo one; echo two >&2; echo three >&2; echo four >&2; exit 4", output);
        var watch = new Watch(output);

        var end = await process.SuperviseAsync(new ActiveJob(1, new Nothing()), new ProcessPolicy(LongGrace, Poll), watch, CancellationToken.None);

        Assert.Equal((ProcessEnd.Exited, 4), (end, process.ExitCode));
        Assert.Equal("three\nfour", output.ErrorTail());
        Assert.Equal(new[] { "one", "two", "three", "four" }.Order(), watch.Lines.Select(l => l.Text).Order());
        Assert.Equal(new[] { "two", "three", "four" }.Order(), watch.Lines.Where(l => l.IsError).Select(l => l.Text).Order());
    }

    [Fact]
    public async Task SuperviseAsync_CancelRequested_AskedToStopWithSigtermAndCancelled()
    {
        var output = new ProcessOutput(20, keepLines: true, TimeProvider.System);
        using var process = Start(StopsOnSigterm, output);
        var active = new ActiveJob(1, new Nothing());
        var watch = new Watch(output) { OnLine = line => active.Cancel() };
        var clock = Stopwatch.StartNew();

        var end = await process.SuperviseAsync(active, new ProcessPolicy(LongGrace, Poll), watch, CancellationToken.None);

        Assert.Equal((ProcessEnd.Cancelled, 3), (end, process.ExitCode));
        Assert.Equal([(process.Id, true)], watch.StopRequests);
        Assert.Empty(watch.Kills);
        Assert.True(clock.Elapsed < LongGrace, $"took {clock.Elapsed}");
        Assert.Null(active.ProcessId);
    }

    [Fact]
    public async Task SuperviseAsync_ProcessIgnoresSigterm_KilledWhenTheGracePeriodIsOver()
    {
        var grace = TimeSpan.FromMilliseconds(500);
        var output = new ProcessOutput(20, keepLines: true, TimeProvider.System);
        using var process = Start("trap '' TERM; echo ready; while true; do sleep 0.1; done", output);
        var active = new ActiveJob(1, new Nothing());
        var watch = new Watch(output) { OnLine = line => active.Cancel() };
        var clock = Stopwatch.StartNew();

        var end = await process.SuperviseAsync(active, new ProcessPolicy(grace, Poll), watch, CancellationToken.None);

        Assert.Equal(ProcessEnd.Cancelled, end);
        Assert.True(clock.Elapsed >= grace * 0.9, $"killed after {clock.Elapsed}, before the grace period");
        Assert.Equal([process.Id], watch.Kills);
    }

    [Fact]
    public async Task SuperviseAsync_PortalStops_ProcessKilledAndShutdownReported()
    {
        var output = new ProcessOutput(20, keepLines: true, TimeProvider.System);
        using var process = Start(StopsOnSigterm, output);
        using var stopping = new CancellationTokenSource();
        var watch = new Watch(output) { OnLine = line => stopping.Cancel() };

        var end = await process.SuperviseAsync(new ActiveJob(1, new Nothing()), new ProcessPolicy(LongGrace, Poll), watch, stopping.Token);

        Assert.Equal(ProcessEnd.Shutdown, end);
        Assert.NotEqual(3, process.ExitCode);                       // killed, not stopped through its trap
        Assert.Empty(watch.StopRequests);
    }

    [Fact]
    public void TryStart_ProgramMissing_NullWithWhatToCheck()
    {
        var launcher = new JobLauncher(new CliCommand("/nonexistent/phoenix-slt", []), new Dictionary<string, string>(), TimeProvider.System);

        var process = launcher.TryStart(["train"], Path.GetTempPath(), new ProcessOutput(1, false, TimeProvider.System), out string? error);

        Assert.Null(process);
        Assert.StartsWith("Could not start /nonexistent/phoenix-slt: ", error, StringComparison.Ordinal);
        Assert.EndsWith("Check Phoenix:Training:CliPath and Phoenix:Training:DotnetPath.", error, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/phoenix-slt not found: the portal evaluates with phoenix-slt.", launcher.MissingProgram("evaluates"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryStart_Threads_ProcessGetsTheBudgetVariablesUnderTheConfiguredOnes()
    {
        // The configured environment (Phoenix:Training:Environment) overrides the budget's OMP_NUM_THREADS only.
        var configured = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" };
        var launcher = new JobLauncher(new CliCommand("/bin/sh", ["-c", "echo \"$OMP_NUM_THREADS $MKL_NUM_THREADS $OMP_WAIT_POLICY\""]), configured, TimeProvider.System);
        var output = new ProcessOutput(tailLines: 2, keepLines: true, TimeProvider.System);
        using var process = launcher.TryStart([], Path.GetTempPath(), output, out string? error, threads: 3);
        Assert.True(process is not null, error);
        var watch = new Watch(output);

        var end = await process.SuperviseAsync(new ActiveJob(1, new Nothing()), new ProcessPolicy(LongGrace, Poll), watch, CancellationToken.None);

        Assert.Equal((ProcessEnd.Exited, 0), (end, process.ExitCode));
        Assert.Equal(["1 3 PASSIVE"], watch.Lines.Select(l => l.Text));
        Assert.Same(configured, launcher.EnvironmentOf(null)); // no count: only the configured variables
    }

    private static JobProcess Start(string script, ProcessOutput output)
    {
        var launcher = new JobLauncher(new CliCommand("/bin/sh", ["-c", script]), new Dictionary<string, string>(), TimeProvider.System);
        var process = launcher.TryStart([], Path.GetTempPath(), output, out string? error);
        Assert.True(process is not null, error);
        return process;
    }

    /// Collects the drained output and what a cancel did; <see cref="OnLine"/> runs for the first output line.
    private sealed class Watch(ProcessOutput output) : IProcessWatch
    {
        private bool _sawLine;

        public List<OutputLine> Lines { get; } = [];
        public List<(int Pid, bool Signalled)> StopRequests { get; } = [];
        public List<int> Kills { get; } = [];
        public Action<OutputLine>? OnLine { get; init; }

        public Task PollAsync()
        {
            var lines = output.Drain();
            Lines.AddRange(lines);
            if (!_sawLine && lines.Count > 0)
            {
                _sawLine = true;
                OnLine?.Invoke(lines[0]);
            }
            return Task.CompletedTask;
        }

        public Task StopRequestedAsync(int processId, bool signalled, TimeSpan grace)
        {
            StopRequests.Add((processId, signalled));
            return Task.CompletedTask;
        }

        public Task KilledAfterGraceAsync(int processId, TimeSpan grace)
        {
            Kills.Add(processId);
            return Task.CompletedTask;
        }
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
