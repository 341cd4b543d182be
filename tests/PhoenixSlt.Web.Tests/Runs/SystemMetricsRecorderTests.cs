using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.SystemInfo;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class SystemMetricsRecorderTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void ParseStat_CommandWithSpacesAndParentheses_FieldsCountedAfterTheLastParenthesis()
    {
        // fields: 1 pid, 2 (comm), 3 state, 4 ppid, 5..13, 14 utime, 15 stime, 16..23, 24 rss (pages)
        string line = "4242 (dotnet (worker) 1) R 17 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 12 0 900 123456 300 18446744073709551615";

        var stat = ProcessTreeSample.ParseStat(line, pageSize: 4096);

        Assert.Equal(new ProcStat(4242, 17, 175, 300 * 4096), stat);
        Assert.Null(ProcessTreeSample.ParseStat("garbage", 4096));
        Assert.Null(ProcessTreeSample.ParseStat("12 (x) R 1 2", 4096));
    }

    [Fact]
    public void Of_SumsTheRootAndItsDescendantsOnly()
    {
        ProcStat[] all = [new(10, 1, 100, 1000), new(11, 10, 50, 200), new(12, 11, 5, 30), new(20, 1, 999, 9999)];

        var sample = ProcessTreeSample.Of(10, all, DateTime.UnixEpoch)!;

        Assert.Equal((155L, 1230L, 3), (sample.CpuTicks, sample.RssBytes, sample.Processes));
        Assert.Null(ProcessTreeSample.Of(99, all, DateTime.UnixEpoch));
    }

    [Fact]
    public void CpuPercentSince_TicksOverWallTime_100IsOneCore()
    {
        var before = new ProcessTreeSample(DateTime.UnixEpoch, 1000, 0, 1);
        // 300 ticks = 3 s of CPU in 2 s of wall time: one and a half cores
        var after = before with { Time = DateTime.UnixEpoch.AddSeconds(2), CpuTicks = 1300 };

        Assert.Equal(150, after.CpuPercentSince(before)!.Value, 9);
        Assert.Null(before.CpuPercentSince(before));
        Assert.Null((after with { CpuTicks = 10 }).CpuPercentSince(before));
    }

    [Fact]
    public void Gpu_IndicesOfTheDevice_MeanUtilisationAndSummedMemory()
    {
        Assert.Equal([0, 1], SystemMetricsRecorder.CudaIndices("cuda", 2));
        Assert.Equal([3], SystemMetricsRecorder.CudaIndices("CUDA:3", 1));
        Assert.Empty(SystemMetricsRecorder.CudaIndices("cpu", 2));
        var gpus = NvidiaSmi.ParseUtilization("0, 80, 1000\n1, 40, [N/A]\n2, 10, 50\nbad line\n");

        var values = SystemMetricsRecorder.GpuValues([0, 1], gpus).ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(60, values[SystemMetricNames.GpuPercent]);
        Assert.Equal(1000, values[SystemMetricNames.GpuMemoryMiB]);
        Assert.Empty(SystemMetricsRecorder.GpuValues([7], gpus));
    }

    [Fact]
    public async Task SampleAsync_RunningRunWithARealBusyProcess_RecordsMemoryThenCpuAsMetricPoints()
    {
        using var busy = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        try
        {
            int runId;
            await using (var db = _database.Create())
            {
                var run = new RunEntity { Name = "r", Phase = "slt", Stage = "slt", Status = JobStatus.Running, Dataset = "d", ProcessId = busy.Id, ProgressStep = 7, Epoch = 1 };
                db.Runs.Add(run);
                db.Runs.Add(new RunEntity { Name = "queued", Phase = "slt", Status = JobStatus.Queued, Dataset = "d" });
                await db.SaveChangesAsync();
                runId = run.Id;
            }
            var notifier = new RunNotifier(NullLogger<RunNotifier>.Instance);
            var updates = new List<RunSystemUpdate>();
            using var subscription = notifier.Subscribe(u => { if (u is RunSystemUpdate s) updates.Add(s); });
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var recorder = new SystemMetricsRecorder(_database.Factory(), notifier, Microsoft.Extensions.Options.Options.Create(new TrainingOptions()), clock,
                NullLogger<SystemMetricsRecorder>.Instance);

            await recorder.SampleAsync(CancellationToken.None);
            await Task.Delay(1000);
            clock.Advance(TimeSpan.FromSeconds(1));
            await recorder.SampleAsync(CancellationToken.None);

            await using var check = _database.Create();
            var points = await check.MetricPoints.Where(m => m.RunId == runId).OrderBy(m => m.Id).ToListAsync();
            // first sample: memory only (CPU use needs two); second: memory and CPU, at the run's stage and step
            Assert.Equal([SystemMetricNames.RssMiB, SystemMetricNames.RssMiB, SystemMetricNames.CpuPercent], points.Select(p => p.Name));
            Assert.All(points, p => Assert.Equal(("slt", 7L, 1), (p.Stage, p.Step, p.Epoch)));
            Assert.All(points.Where(p => p.Name == SystemMetricNames.RssMiB), p => Assert.True(p.Value > 0));
            // a busy loop for a second used CPU time (at least one clock tick)
            Assert.True(points[2].Value > 0, $"cpu {points[2].Value}");
            Assert.Equal(2, updates.Count);
            Assert.Equal(runId, updates[1].RunId);
        }
        finally
        {
            busy.Kill();
            await busy.WaitForExitAsync();
        }
    }
}
