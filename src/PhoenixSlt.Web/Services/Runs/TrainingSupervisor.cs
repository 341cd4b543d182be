using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// Runs the training queue (a <see cref="JobRunner{TJob}"/> of <see cref="TrainingJobKind"/>): starts queued runs
/// as `phoenix-slt train` processes (training never happens in the portal's process, so a native crash or
/// out-of-memory cannot take the portal down), at most <see cref="TrainingOptions.MaxConcurrentRunsPerDevice"/> per
/// device (<see cref="JobRunner{TJob}.Slots"/>, shared with checkpoint evaluations); reads each process's
/// JSON-lines event file (docs/EVENTS.md), persists the events and hands them to the <see cref="RunNotifier"/>;
/// chains the stages of a pipeline; cancels gracefully (SIGTERM, then a kill after the grace period); turns a
/// process that dies without `finished` or `failed` into a failed run with the tail of its error output. On start,
/// runs left queued or running become interrupted and the checkpoint root is scanned; on stop, running processes
/// are killed and their runs become interrupted (Resume continues them with `--resume`).
public sealed class TrainingSupervisor : JobRunner<RunEntity>
{
    public TrainingSupervisor(
        IDbContextFactory<PhoenixDbContext> contexts,
        DatabaseState database,
        DatasetCatalog datasets,
        PhoenixPaths paths,
        RunNotifier notifier,
        IProcessProbe probe,
        IOptions<TrainingOptions> options,
        TimeProvider time,
        ILogger<TrainingSupervisor> logger)
        : this(contexts, database, datasets, paths, notifier, probe, options.Value, time, logger,
            new JobLauncher(CliCommand.Resolve(options.Value, PortalFolder), options.Value.Environment, time))
    {
    }

    private TrainingSupervisor(
        IDbContextFactory<PhoenixDbContext> contexts, DatabaseState database, DatasetCatalog datasets, PhoenixPaths paths, RunNotifier notifier,
        IProcessProbe probe, TrainingOptions options, TimeProvider time, ILogger logger, JobLauncher launcher)
        : base(new TrainingJobKind(contexts, datasets, paths, new RunJournal(contexts, notifier, time, logger), probe, launcher, options, time, logger),
            new DeviceSlots(options.MaxConcurrentRunsPerDevice), database, logger)
    {
        Launcher = launcher;
    }

    /// How `phoenix-slt` is started (from <see cref="TrainingOptions.CliPath"/> or next to the portal's assembly),
    /// for runs and evaluations.
    public JobLauncher Launcher { get; }

    public CliCommand Cli => Launcher.Cli;

    /// Ids of the runs that have a process (or are about to get one) in this portal.
    public IReadOnlyCollection<int> ActiveRunIds => ActiveIds;

    private static string PortalFolder => Path.GetDirectoryName(typeof(TrainingSupervisor).Assembly.Location) ?? AppContext.BaseDirectory;
}
