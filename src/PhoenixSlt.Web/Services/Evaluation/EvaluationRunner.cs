using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Runs queued evaluations (oldest first; a <see cref="JobRunner{TJob}"/> of <see cref="EvaluationJobKind"/>), each
/// in a `phoenix-slt evaluate` process (the program and environment of the training processes) on
/// <see cref="EvaluationOptions.Device"/>. An evaluation takes a slot of the training queue's
/// <see cref="DeviceSlots"/>, so runs and evaluations together never exceed
/// <see cref="TrainingOptions.MaxConcurrentRunsPerDevice"/> on a device: an evaluation waits while the device is
/// full of runs, and a run waits while evaluations hold the device. Cancel stops the process like a run's
/// (SIGTERM, then a kill after <see cref="TrainingOptions.CancelGracePeriod"/>). Evaluations left running by a
/// previous portal are marked failed at start; queued ones wait for their turn.
public sealed class EvaluationRunner(
    IDbContextFactory<PhoenixDbContext> contexts,
    DatabaseState database,
    EvaluationNotifier notifier,
    TrainingSupervisor supervisor,
    PhoenixPaths paths,
    IOptions<TrainingOptions> trainingOptions,
    IOptions<EvaluationOptions> options,
    TimeProvider time,
    ILogger<EvaluationRunner> logger)
    : JobRunner<EvaluationEntity>(
        new EvaluationJobKind(contexts, notifier, paths, supervisor.Launcher, trainingOptions.Value, options.Value, time, logger),
        supervisor.Slots, database, logger)
{
    /// The folder under the checkpoint root that holds one work folder per evaluation (its hypotheses).
    public const string WorkFolder = "evaluations";

    public const string ShutdownError = "The portal stopped during this evaluation; evaluate the checkpoint again.";

    /// The devices an evaluation occupies (one slot each).
    public IReadOnlyList<string> Devices => DeviceSelection.DevicesOf(options.Value.Device, worldSize: 1);

    /// Ids of the evaluations that have a process (or are about to get one) in this portal.
    public IReadOnlyCollection<int> ActiveEvaluationIds => ActiveIds;
}
