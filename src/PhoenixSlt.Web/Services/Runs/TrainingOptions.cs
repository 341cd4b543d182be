using System.ComponentModel.DataAnnotations;

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

    /// Extra environment variables of the training processes, e.g. OMP_NUM_THREADS (section
    /// Phoenix:Training:Environment).
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    /// Lines of a process's standard error kept for the error message of a run that died.
    [Range(1, 1000)]
    public int StderrTailLines { get; set; } = 20;
}
