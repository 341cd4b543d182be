using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.SystemInfo;

namespace PhoenixSlt.Web.Services.Runs;

/// The names of a run's system metrics (metric points like the training metrics; throughput is the step events'
/// samples_per_s).
public static class SystemMetricNames
{
    /// CPU use of the run's process tree as top shows it: 100 = one core busy.
    public const string CpuPercent = "sys_cpu_percent";

    /// Resident memory of the run's process tree in MiB.
    public const string RssMiB = "sys_rss_mib";

    /// Mean utilisation of the run's GPUs in % (CUDA runs, from nvidia-smi).
    public const string GpuPercent = "sys_gpu_percent";

    /// Memory used on the run's GPUs in MiB (whole devices, as nvidia-smi reports them).
    public const string GpuMemoryMiB = "sys_gpu_memory_mib";

    public const string Prefix = "sys_";

    public static bool IsSystem(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);
}

/// One recorded sample of a run's system metrics (values by <see cref="SystemMetricNames"/>).
public sealed record RunSystemUpdate(int RunId, string Stage, long Step, DateTime Time, IReadOnlyDictionary<string, double> Values) : RunUpdate(RunId);

/// Records every <see cref="TrainingOptions.SystemSampleInterval"/> the CPU use and resident memory of each running
/// run's process tree (/proc) and, on CUDA runs, its GPUs' utilisation and memory (nvidia-smi), as metric points
/// of the run's current stage and step; each sample is also published (<see cref="RunSystemUpdate"/>) for live
/// charts. CPU use needs two samples: the first sample of a process has memory only.
public sealed class SystemMetricsRecorder(
    IDbContextFactory<PhoenixDbContext> contexts,
    RunNotifier notifier,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<SystemMetricsRecorder> logger) : BackgroundService
{
    private readonly Dictionary<int, (int Pid, ProcessTreeSample Sample)> _previous = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan interval = options.Value.SystemSampleInterval;
        if (interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SampleAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // a failed sample (a locked database, an unreadable /proc) must not end the recording
                    logger.LogWarning(e, "Could not record system metrics");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// One sample of every running run (public for tests).
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var running = await db.Runs.AsNoTracking().Where(r => r.Status == JobStatus.Running && r.ProcessId != null)
            .Select(r => new { r.Id, Pid = r.ProcessId!.Value, r.Stage, r.Phase, r.ProgressStep, r.Epoch, r.Device, r.WorldSize })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (int gone in _previous.Keys.Except(running.Select(r => r.Id)).ToList())
            _previous.Remove(gone);
        if (running.Count == 0)
            return;
        DateTime now = time.GetUtcNow().UtcDateTime;
        var processes = ProcessTreeSample.ReadAll();
        IReadOnlyDictionary<int, GpuUse> gpus = running.Any(r => CudaIndices(r.Device, r.WorldSize).Count > 0)
            ? await NvidiaSmi.QueryUtilizationAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false)
            : new Dictionary<int, GpuUse>();
        var updates = new List<RunSystemUpdate>();
        foreach (var run in running)
        {
            if (ProcessTreeSample.Of(run.Pid, processes, now) is not ProcessTreeSample sample)
                continue;
            var values = new Dictionary<string, double>(StringComparer.Ordinal) { [SystemMetricNames.RssMiB] = sample.RssBytes / 1048576.0 };
            if (_previous.TryGetValue(run.Id, out var previous) && previous.Pid == run.Pid && sample.CpuPercentSince(previous.Sample) is double cpu)
                values[SystemMetricNames.CpuPercent] = cpu;
            _previous[run.Id] = (run.Pid, sample);
            foreach (var (name, value) in GpuValues(CudaIndices(run.Device, run.WorldSize), gpus))
                values[name] = value;
            string stage = run.Stage ?? run.Phase;
            foreach (var (name, value) in values)
                db.MetricPoints.Add(new MetricPoint { RunId = run.Id, Stage = stage, Step = run.ProgressStep, Epoch = run.Epoch ?? 0, Name = name, Value = value, Time = now });
            updates.Add(new RunSystemUpdate(run.Id, stage, run.ProgressStep, now, values));
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var update in updates)
            notifier.Publish(update);
    }

    /// The physical GPU indices a run uses: cuda:N → N; cuda → 0 … world size − 1; none on the CPU.
    public static IReadOnlyList<int> CudaIndices(string device, int worldSize)
    {
        string d = (device ?? "").Trim().ToLowerInvariant();
        if (d == "cuda")
            return [.. Enumerable.Range(0, Math.Max(1, worldSize))];
        return d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            ? [index] : [];
    }

    /// Mean utilisation and summed memory of the <paramref name="indices"/> GPUs nvidia-smi reported.
    public static IEnumerable<KeyValuePair<string, double>> GpuValues(IReadOnlyList<int> indices, IReadOnlyDictionary<int, GpuUse> gpus)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(gpus);
        var used = indices.Select(i => gpus.GetValueOrDefault(i)).OfType<GpuUse>().ToList();
        var utilization = used.Select(g => g.UtilizationPercent).OfType<double>().ToList();
        var memory = used.Select(g => g.MemoryUsedMiB).OfType<double>().ToList();
        if (utilization.Count > 0)
            yield return new(SystemMetricNames.GpuPercent, utilization.Average());
        if (memory.Count > 0)
            yield return new(SystemMetricNames.GpuMemoryMiB, memory.Sum());
    }
}
