using System.ComponentModel.DataAnnotations;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Services.Runs;

/// Section "Phoenix:Training": how the portal runs `phoenix-slt train` processes.
public sealed class TrainingOptions
{
    public const string SectionName = "Phoenix:Training";

    /// Runs working at the same time on one device (cpu, cuda:0, …); further runs wait in the queue.
    [Range(1, 64)]
    public int MaxConcurrentRunsPerDevice { get; set; } = 1;

    /// The phoenix-slt program: a .dll (run through the dotnet host) or an executable. Empty: phoenix-slt.dll
    /// next to the portal's own assembly (the project reference copies it there).
    public string? CliPath { get; set; }

    /// The dotnet host used for a .dll <see cref="CliPath"/>. Empty: the host running the portal.
    public string? DotnetPath { get; set; }

    /// Time a cancelled process gets to stop on its own (after SIGTERM) before it is killed.
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// How often the supervisor looks for new lines in a run's event file and for queued runs.
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// How often the CPU use, resident memory and (on CUDA runs) GPU use of each running run are recorded as its
    /// system metrics (<see cref="SystemMetricNames"/>); 0 turns the recording off.
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SystemSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// Extra environment variables of the training and evaluation processes (section Phoenix:Training:Environment);
    /// they override the thread variables the portal sets from the thread budget (OMP_NUM_THREADS, …).
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    /// The CPU threads the portal's jobs share (training processes, evaluations, the Translate service). Empty: the
    /// machine's logical cores.
    [Range(1, ThreadBudget.MaxThreads)]
    public int? CpuThreads { get; set; }

    /// Intra-op CPU threads of each job (a training stage, each worker of a multi-process CPU run, an evaluation, the
    /// Translate service). Empty: <see cref="CpuThreads"/> / (<see cref="MaxConcurrentRunsPerDevice"/> + 1: the
    /// slots' processes and the Translate service), and a CPU run of world size N divides its share over its N
    /// workers; at least 1. A run's own `threads` setting wins for that run.
    [Range(1, ThreadBudget.MaxThreads)]
    public int? ThreadsPerJob { get; set; }

    /// Jobs that may use the CPU at once: the slots of one device and the Translate service.
    public int ConcurrentJobs => MaxConcurrentRunsPerDevice + 1;

    /// The threads of each of a job's <paramref name="processes"/> processes (<see cref="ThreadBudget.PerProcess"/>).
    public int ThreadsPerProcess(int processes = 1)
        => ThreadBudget.PerProcess(CpuThreads ?? System.Environment.ProcessorCount, ConcurrentJobs, processes, ThreadsPerJob);

    /// The intra-op threads of each process of a run: its own `threads` setting, else the budget's share (divided
    /// over the workers of a multi-process CPU run).
    public int ThreadsFor(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Threads is int own)
            return own;
        bool cpu = !(DeviceSelection.TryParseName(spec.Device, out var device) && device.IsCuda);
        return ThreadsPerProcess(cpu ? spec.WorldSize : 1);
    }

    /// Lines of a process's standard error kept for the error message of a run that died.
    [Range(1, 1000)]
    public int StderrTailLines { get; set; } = 20;
}
