using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunRecoveryTests : IDisposable
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime ProcessStart = new(2025, 6, 1, 11, 0, 0, DateTimeKind.Utc);
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task MarkInterruptedAsync_LeftOverRuns_BecomeInterruptedAndOthersStay()
    {
        var ids = await AddRunsAsync((JobStatus.Queued, null), (JobStatus.Running, 4242), (JobStatus.Completed, null), (JobStatus.Failed, null), (JobStatus.Cancelled, null));
        var probe = new FakeProbe();

        var marked = await MarkAsync(probe);

        Assert.Equal([ids[0], ids[1]], marked.Order());
        await using var db = _database.Create();
        var statuses = await db.Runs.OrderBy(r => r.Id).Select(r => r.Status).ToListAsync();
        Assert.Equal([JobStatus.Interrupted, JobStatus.Interrupted, JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled], statuses);
        var running = await db.Runs.SingleAsync(r => r.Id == ids[1]);
        Assert.Equal((Now, (int?)null, (DateTime?)null), (running.FinishedAt!.Value, running.ProcessId, running.ProcessStartedAt));
        Assert.Contains("Resume", running.Error);
        Assert.Equal(2, await db.RunLogLines.CountAsync(l => l.Level == "warning"));
        Assert.Empty(probe.Killed);
    }

    [Fact]
    public async Task MarkInterruptedAsync_ProcessStillAlive_KillsItFirst()
    {
        var ids = await AddRunsAsync((JobStatus.Running, 4242), (JobStatus.Running, 4343));
        var probe = new FakeProbe { Alive = { (4242, ProcessStart) } };

        await MarkAsync(probe);

        Assert.Equal([4242], probe.Killed);
        await using var db = _database.Create();
        Assert.Contains("4242", (await db.Runs.SingleAsync(r => r.Id == ids[0])).Error);
        Assert.All(await db.Runs.ToListAsync(), r => Assert.Equal(JobStatus.Interrupted, r.Status));
    }

    [Fact]
    public async Task MarkInterruptedAsync_PidReusedByAnotherProcess_DoesNotKillIt()
    {
        await AddRunsAsync((JobStatus.Running, 4242));
        var probe = new FakeProbe { Alive = { (4242, ProcessStart.AddHours(1)) } };

        await MarkAsync(probe);

        Assert.Empty(probe.Killed);
    }

    [Fact]
    public async Task MarkInterruptedAsync_NothingLeftOver_ChangesNothing()
    {
        await AddRunsAsync((JobStatus.Completed, null));

        Assert.Empty(await MarkAsync(new FakeProbe()));
        await using var db = _database.Create();
        Assert.Equal(0, await db.RunLogLines.CountAsync());
    }

    private async Task<IReadOnlyList<int>> MarkAsync(IProcessProbe probe)
    {
        await using var db = _database.Create();
        return await RunRecovery.MarkInterruptedAsync(db, probe, Now);
    }

    private async Task<List<int>> AddRunsAsync(params (JobStatus Status, int? Pid)[] runs)
    {
        await using var db = _database.Create();
        var entities = runs.Select(r => new RunEntity
        {
            Name = r.Status.ToText(), Phase = "slt", Status = r.Status, Dataset = "d", CreatedAt = ProcessStart, OutputFolder = "/x",
            ProcessId = r.Pid, ProcessStartedAt = r.Pid is null ? null : ProcessStart,
        }).ToList();
        db.Runs.AddRange(entities);
        await db.SaveChangesAsync();
        return [.. entities.Select(e => e.Id)];
    }

    /// Processes that are "alive" with their start times; records kills.
    private sealed class FakeProbe : IProcessProbe
    {
        public HashSet<(int Pid, DateTime Start)> Alive { get; } = [];
        public List<int> Killed { get; } = [];

        public bool IsRunning(int processId, DateTime? startedAtUtc)
            => Alive.Any(a => a.Pid == processId && (startedAtUtc is null || a.Start == startedAtUtc));

        public void Kill(int processId) => Killed.Add(processId);
    }
}
