using System.ComponentModel.DataAnnotations;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// What a cancel request did.
public enum EvaluationCancelOutcome
{
    /// The evaluation was queued (or no process worked on it) and is cancelled now.
    Cancelled,
    /// Its process was asked to stop; the evaluation becomes cancelled when it has.
    Stopping,
    NotFound,
    /// Completed, failed or cancelled already.
    AlreadyFinished,
}

/// <param name="Message">What happened or why not, for the user.</param>
/// <param name="Evaluation">The evaluation after the request (null when not found).</param>
public sealed record EvaluationCancelResult(EvaluationCancelOutcome Outcome, string Message, EvaluationInfo? Evaluation);

/// Body of POST /api/checkpoints/{id}/evaluate.
public sealed class EvaluationRequest
{
    /// dev or test.
    public string Split { get; set; } = "dev";

    /// 1..Phoenix:Beams:Max (checked by the service).
    public int Beams { get; set; } = new Training.Specs.RunSpec().Beams;

    /// Dataset folder under the data root; empty: the dataset of the checkpoint's run, else the default dataset.
    public string? Dataset { get; set; }
}

/// An evaluation without its sentences.
public sealed record EvaluationInfo(
    int Id, int CheckpointId, string CheckpointPath, string Dataset, string Split, int Beams, JobStatus Status, string? Error,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, int Clips,
    double? Bleu1, double? Bleu2, double? Bleu3, double? Bleu4, double? SacreBleu, double? RougeL, double? Chrf)
{
    /// "checkpoint folder name · split · beams", for pickers and table headers.
    public string Label => $"#{Id} {ShortName(CheckpointPath)} · {Split} · beam {Beams}";

    public static string ShortName(string path)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(path);
        string name = Path.GetFileName(trimmed);
        string? parent = Path.GetFileName(Path.GetDirectoryName(trimmed));
        return string.IsNullOrEmpty(parent) ? name : $"{parent}/{name}";
    }
}

/// One clip of an evaluation.
public sealed record SentenceResult(int Index, string Name, string Reference, string Hypothesis, double SentenceBleu);

/// An evaluation with its sentences (GET /api/evaluations/{id}).
public sealed record EvaluationDetails(EvaluationInfo Evaluation, IReadOnlyList<SentenceResult> Sentences);
