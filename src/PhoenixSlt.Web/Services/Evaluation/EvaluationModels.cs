using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Services.Evaluation;

public static class EvaluationStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static bool IsFinished(string status) => status is Completed or Failed;
}

/// Body of POST /api/checkpoints/{id}/evaluate.
public sealed class EvaluationRequest
{
    public const int MaxBeams = 16;

    /// dev or test.
    public string Split { get; set; } = "dev";

    [Range(1, MaxBeams)]
    public int Beams { get; set; } = 4;

    /// Dataset folder under the data root; empty: the dataset of the checkpoint's run, else the default dataset.
    public string? Dataset { get; set; }
}

/// An evaluation without its sentences.
public sealed record EvaluationInfo(
    int Id, int CheckpointId, string CheckpointPath, string Dataset, string Split, int Beams, string Status, string? Error,
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
