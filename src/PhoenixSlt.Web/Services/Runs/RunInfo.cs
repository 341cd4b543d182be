using PhoenixSlt.Training.Events;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// A run as the pages and the API show it. Times are UTC.
public sealed record RunInfo
{
    public required int Id { get; init; }
    public required string Name { get; init; }

    /// text, vlp, slt or pipeline.
    public required string Phase { get; init; }

    /// The stage in progress (or last run): text, vlp or slt.
    public string? Stage { get; init; }

    public required JobStatus Status { get; init; }
    public required string Dataset { get; init; }
    public required DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public required string Device { get; init; }
    public int WorldSize { get; init; } = 1;
    public string? InitCheckpoint { get; init; }
    public string? MBartFolder { get; init; }

    /// CheckpointRoot/runs/&lt;id&gt;, one subfolder per stage.
    public required string OutputFolder { get; init; }

    /// Why the run failed or was interrupted, or null.
    public string? Error { get; init; }

    public string? BestMetricName { get; init; }
    public double? BestMetricValue { get; init; }

    /// BLEU-4 of the best slt validation, or null.
    public double? BestBleu4 { get; init; }

    public string? BestCheckpoint { get; init; }

    /// Optimizer steps done in the current stage, of <see cref="ProgressTotal"/>.
    public long ProgressStep { get; init; }
    public long? ProgressTotal { get; init; }
    public int? Epoch { get; init; }
    public double? SamplesPerSecond { get; init; }
    /// Seconds until the run's current stage ends, validations included (the trainer's estimate), as of the latest event.
    public double? EtaSeconds { get; init; }

    /// A validation in progress: clips done of <see cref="ValidationTotal"/> (null when no validation runs).
    public int? ValidationDone { get; init; }
    public int? ValidationTotal { get; init; }

    /// True while a running run validates.
    public bool IsValidating => Status == JobStatus.Running && ValidationTotal is not null;

    /// Progress of the validation in progress in 0..100 (0 when none runs or the split is empty).
    public double ValidationPercent => IsValidating && ValidationTotal is int total && total > 0
        ? Math.Clamp(100.0 * (ValidationDone ?? 0) / total, 0, 100) : 0;

    /// Processes started for the run: one per stage, plus one per resume.
    public int Attempts { get; init; }

    /// The group the run was launched in (seeds, sweep, ablation) and its setting within it, or null.
    public int? GroupId { get; init; }
    public string? GroupLabel { get; init; }

    /// Tags of the user (<see cref="Services.Tags.TagList"/>) and their notes.
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Notes { get; init; }

    /// Stages of the run (1, or 3 for the pipeline) and the 0-based index of <see cref="Stage"/>.
    public int StageCount => TrainingPhaseNames.IsRunKind(Phase) ? TrainingPhaseNames.StagesOf(Phase).Count : 1;
    public int StageIndex => Stage is null || !TrainingPhaseNames.IsRunKind(Phase) ? 0 : Math.Max(0, TrainingPhaseNames.StagesOf(Phase).ToList().IndexOf(Stage));

    /// Progress of the current stage in 0..100 (100 once completed).
    public double Percent => Status == JobStatus.Completed ? 100
        : ProgressTotal is long total && total > 0 ? Math.Clamp(100.0 * ProgressStep / total, 0, 100) : 0;

    public bool CanCancel => Status.IsActive();
    public bool CanResume => Status.IsResumable();

    /// This run with the progress <paramref name="progressEvent"/> of <paramref name="stage"/> applied (what the pages
    /// do with live events, as <see cref="RunEventIngestor"/> does with the stored row): run_started resets the
    /// progress, step moves it (unless older than what is shown), validation_progress shows the validation, eval ends it.
    public RunInfo WithProgress(string stage, ProgressEvent progressEvent) => progressEvent switch
    {
        RunStartedEvent started => this with
        {
            Stage = stage, ProgressStep = 0, ProgressTotal = started.TotalSteps, EtaSeconds = null, SamplesPerSecond = null,
            ValidationDone = null, ValidationTotal = null,
        },
        StepEvent step when step.Step >= ProgressStep || Stage != stage => this with
        {
            Stage = stage, ProgressStep = step.Step, Epoch = step.Epoch, SamplesPerSecond = step.SamplesPerS, EtaSeconds = step.EtaS,
            ValidationDone = null, ValidationTotal = null,
        },
        ValidationProgressEvent validation => this with
        {
            Stage = stage, ProgressStep = Math.Max(ProgressStep, validation.Step), Epoch = validation.Epoch,
            EtaSeconds = validation.EtaS, ValidationDone = validation.ClipsDone, ValidationTotal = validation.ClipsTotal,
        },
        EvalEvent => this with { ValidationDone = null, ValidationTotal = null },
        _ => this,
    };

    /// Wall time from start to finish, or to <paramref name="nowUtc"/> while running; null before the start.
    public TimeSpan? DurationAt(DateTime nowUtc) => StartedAt is DateTime start ? (FinishedAt ?? nowUtc) - start : null;
}

/// A run with its settings and the translations of its latest validation.
public sealed record RunDetails(RunInfo Run, RunSpec Config, IReadOnlyList<TranslationSample> LatestSamples);

/// One metric value. <see cref="Stage"/> separates the stages of a pipeline (steps restart in each).
public sealed record MetricValue(string Stage, long Step, int Epoch, string Name, double Value, DateTime Time);

/// One log line; <see cref="Level"/> is info, warning or error.
public sealed record RunLogEntry(long Id, DateTime Time, string Level, string Text);

/// A checkpoint folder known to the portal.
public sealed record CheckpointInfo(
    int Id,
    string Path,
    string Phase,
    int? RunId,
    long Step,
    IReadOnlyDictionary<string, double> Metrics,
    bool IsBest,
    DateTime CreatedAt,
    long SizeBytes)
{
    /// Tags of the user (<see cref="Services.Tags.TagList"/>) and their notes.
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Notes { get; init; }
}

public enum RunSortField
{
    Created,
    Name,
    Status,
    Phase,
    BestBleu4,
    Duration,
}

/// Filter and order of the run list. Null filters match everything; <see cref="Search"/> matches the name or the
/// dataset (case-insensitive); <see cref="Tag"/> runs carrying that tag; <see cref="GroupId"/> the runs of one group.
public sealed record RunQuery(
    JobStatus? Status = null,
    string? Phase = null,
    string? Search = null,
    RunSortField Sort = RunSortField.Created,
    bool Descending = true,
    int? Limit = null,
    string? Tag = null,
    int? GroupId = null);

/// Filter of the checkpoint list: of one run, of one phase (text, vlp, slt, mbart), only best/ folders, only those
/// carrying a tag.
public sealed record CheckpointQuery(int? RunId = null, string? Phase = null, bool BestOnly = false, string? Tag = null);
