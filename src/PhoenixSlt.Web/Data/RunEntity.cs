using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Data;

/// A training run (table "runs"). Times are UTC.
public sealed class RunEntity
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// text, vlp, slt or pipeline.
    public string Phase { get; set; } = "";

    /// The stage in progress (or last run) of a pipeline; the phase itself for single-phase runs.
    public string? Stage { get; set; }

    /// The resolved run spec as JSON (<see cref="PhoenixSlt.Training.Specs.RunSpecJson"/>; older runs: camelCase settings, see <see cref="Services.Runs.LegacyRunSettings"/>).
    public string ConfigJson { get; set; } = "{}";

    /// Stored as "queued", "running", "completed", "failed", "cancelled" or "interrupted".
    public JobStatus Status { get; set; }

    public string Dataset { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public string Device { get; set; } = "cpu";
    public int WorldSize { get; set; } = 1;

    /// The checkpoint the run started from (--init), or null.
    public string? InitCheckpoint { get; set; }

    /// The pretrained mBART folder (--mbart), or null.
    public string? MBartFolder { get; set; }

    /// CheckpointRoot/runs/&lt;id&gt;: one subfolder per stage.
    public string OutputFolder { get; set; } = "";

    public string? Error { get; set; }

    /// The watched metric of the best validation (slt: bleu4; text, vlp: val_loss) and its value.
    public string? BestMetricName { get; set; }
    public double? BestMetricValue { get; set; }

    /// BLEU-4 of the best slt validation (for the run list), or null.
    public double? BestBleu4 { get; set; }

    public string? BestCheckpoint { get; set; }

    /// Progress of the current stage: optimizer steps done of the total, epoch, throughput and ETA.
    public long ProgressStep { get; set; }
    public long? ProgressTotal { get; set; }
    public int? Epoch { get; set; }
    public double? SamplesPerSecond { get; set; }
    public double? EtaSeconds { get; set; }

    /// A validation in progress (validation_progress events): clips done of the validation split's clips; both null
    /// when no validation runs.
    public int? ValidationDone { get; set; }
    public int? ValidationTotal { get; set; }

    /// Translations of the latest validation ([{name, reference, hypothesis}] as JSON), or null.
    public string? LatestSamplesJson { get; set; }

    /// The CLI process working on the run (pid and start time, to tell it from a later process with the same id).
    public int? ProcessId { get; set; }
    public DateTime? ProcessStartedAt { get; set; }

    /// Processes started for the run: one per stage, plus one per resume.
    public int Attempts { get; set; }

    public bool CancelRequested { get; set; }

    /// The group the run was launched in (seeds, sweep, ablation), or null.
    public int? GroupId { get; set; }

    /// What distinguishes the run within its group: its arm (ablation) or sweep point, without the seed; runs of
    /// one group with the same label are seeds of one setting.
    public string? GroupLabel { get; set; }

    /// Tags as <see cref="Services.Tags.TagList"/> stores them (",a,b,"), "" when none.
    public string Tags { get; set; } = "";

    /// Free text of the user.
    public string? Notes { get; set; }

    public List<MetricPoint> Metrics { get; set; } = [];
    public List<RunLogLine> LogLines { get; set; } = [];
}
