using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Data;

/// One evaluation of a checkpoint on a dataset split (table "evaluations"): a `phoenix-slt evaluate` process, its
/// status and the corpus metrics computed from its hypotheses.
public sealed class EvaluationEntity
{
    public int Id { get; set; }

    public int CheckpointId { get; set; }

    /// The checkpoint folder at the time of the request (kept when the checkpoint row goes).
    public string CheckpointPath { get; set; } = "";

    /// The dataset folder name under the data root.
    public string Dataset { get; set; } = "";

    /// dev or test.
    public string Split { get; set; } = "";

    public int Beams { get; set; }

    /// Stored as "queued", "running", "completed", "failed" or "cancelled" (never interrupted).
    public JobStatus Status { get; set; }

    /// Why a failed evaluation failed, with what to do.
    public string? Error { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public int Clips { get; set; }
    public double? Bleu1 { get; set; }
    public double? Bleu2 { get; set; }
    public double? Bleu3 { get; set; }
    public double? Bleu4 { get; set; }

    /// sacrebleu 2.6.0 corpus BLEU (13a, exp smoothing): the BLEU of the paired bootstrap test.
    public double? SacreBleu { get; set; }
    public double? RougeL { get; set; }
    public double? Chrf { get; set; }

    public List<EvaluationSentence> Sentences { get; set; } = [];
}
