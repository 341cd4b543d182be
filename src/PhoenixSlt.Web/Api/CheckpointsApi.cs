using PhoenixSlt.Web.Security;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Api;

/// REST API of checkpoint evaluations (with their sentences as JSON or CSV), comparisons (paired bootstrap and approximate
/// randomization) and the mBART import; in /openapi/v1.json.
public static class CheckpointsApi
{
    public static IEndpointRouteBuilder MapCheckpointsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var checkpoints = endpoints.MapGroup("/api/checkpoints").WithTags("Checkpoints");
        checkpoints.MapPost("/{id:int}/evaluate", EvaluateAsync).WithName("EvaluateCheckpoint").RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Queue an evaluation of an slt checkpoint on dev or test (phoenix-slt evaluate).");
        checkpoints.MapPost("/import-mbart", ImportMBartAsync).WithName("ImportMBart").RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Register a Hugging Face mBART folder (config.json, model.safetensors, sentencepiece.bpe.model) as a checkpoint.");
        var evaluations = endpoints.MapGroup("/api/evaluations").WithTags("Evaluations");
        evaluations.MapGet("/", ListAsync).WithName("ListEvaluations").WithSummary("Evaluations, newest first.");
        evaluations.MapGet("/{id:int}", GetAsync).WithName("GetEvaluation").WithSummary("An evaluation with its per-sentence hypotheses and sentence BLEU.");
        evaluations.MapGet("/{id:int}/sentences", SentencesAsync).WithName("GetEvaluationSentences")
            .WithSummary("Every sentence of an evaluation (index, name, reference, hypothesis, sentence BLEU and chrF) as JSON, or CSV with ?format=csv.");
        evaluations.MapPost("/{id:int}/cancel", CancelAsync).WithName("CancelEvaluation").RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Cancel a queued evaluation, or stop the process of a running one (it becomes cancelled).");
        endpoints.MapGet("/api/compare", CompareAsync).WithTags("Evaluations").WithName("CompareEvaluations")
            .WithSummary("Metrics, paired bootstrap and approximate randomization significance against the first evaluation, and per-sentence rows (?evaluations=1,2).");
        return endpoints;
    }

    public sealed record ImportMBartRequest(string? Path);

    public static async Task<Results<Accepted<EvaluationInfo>, NotFound<ProblemDetailsText>, ValidationProblem>> EvaluateAsync(
        int id, EvaluationRequest request, EvaluationService service, CancellationToken cancellationToken)
    {
        var result = await service.SubmitAsync(id, request, cancellationToken).ConfigureAwait(false);
        if (result.CheckpointMissing)
            return TypedResults.NotFound(new ProblemDetailsText($"Checkpoint {id} does not exist; list them with GET /api/checkpoints."));
        return result.Evaluation is EvaluationInfo evaluation
            ? TypedResults.Accepted($"/api/evaluations/{evaluation.Id}", evaluation)
            : TypedResults.ValidationProblem(result.Errors, title: "The evaluation cannot be run.");
    }

    public static async Task<Ok<IReadOnlyList<EvaluationInfo>>> ListAsync(EvaluationService service, int? checkpoint, CancellationToken cancellationToken)
        => TypedResults.Ok(await service.ListAsync(checkpoint, cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Ok<EvaluationDetails>, NotFound<ProblemDetailsText>>> GetAsync(int id, EvaluationService service, CancellationToken cancellationToken)
    {
        var details = await service.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return details is null ? TypedResults.NotFound(new ProblemDetailsText($"Evaluation {id} does not exist.")) : TypedResults.Ok(details);
    }

    public static async Task<Results<Ok<IReadOnlyList<SentenceDetail>>, ContentHttpResult, NotFound<ProblemDetailsText>, ValidationProblem>> SentencesAsync(
        int id, string? format, EvaluationService service, CancellationToken cancellationToken)
    {
        bool csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && !string.IsNullOrWhiteSpace(format) && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"Format '{format}' is not known; use json or csv."] });
        var details = await service.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (details is null)
            return TypedResults.NotFound(new ProblemDetailsText($"Evaluation {id} does not exist."));
        var sentences = EvaluationSentences.Of(details.Sentences);
        return csv ? TypedResults.Text(EvaluationSentences.ToCsv(sentences), "text/csv", Encoding.UTF8) : TypedResults.Ok(sentences);
    }

    public static async Task<Results<Accepted<EvaluationInfo>, NotFound<ProblemDetailsText>, Conflict<ProblemDetailsText>>> CancelAsync(
        int id, EvaluationService service, CancellationToken cancellationToken)
    {
        var result = await service.CancelAsync(id, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            EvaluationCancelOutcome.Cancelled or EvaluationCancelOutcome.Stopping => TypedResults.Accepted($"/api/evaluations/{id}", result.Evaluation),
            EvaluationCancelOutcome.NotFound => TypedResults.NotFound(new ProblemDetailsText(result.Message)),
            _ => TypedResults.Conflict(new ProblemDetailsText(result.Message)),
        };
    }

    public static async Task<Results<Ok<EvaluationComparison>, NotFound<ProblemDetailsText>, ValidationProblem>> CompareAsync(
        string? evaluations, EvaluationService service, CancellationToken cancellationToken)
    {
        if (ParseIds(evaluations) is not { } ids)
            return Invalid($"'{evaluations}' is not a list of evaluation ids; give ?evaluations=1,2 (two or more).");
        var found = await service.GetManyAsync(ids, cancellationToken).ConfigureAwait(false);
        if (found.Count != ids.Count)
        {
            var missing = ids.Except(found.Select(f => f.Evaluation.Id));
            return TypedResults.NotFound(new ProblemDetailsText($"Evaluation(s) {string.Join(", ", missing)} do not exist."));
        }
        if (ComparisonBuilder.Problem(found) is string problem)
            return Invalid(problem);
        return TypedResults.Ok(ComparisonBuilder.Build(found));
    }

    public static async Task<Results<Ok<CheckpointInfo>, ValidationProblem>> ImportMBartAsync(ImportMBartRequest request, MBartImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MBartImport.Problem(request.Path) is string problem)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["path"] = [problem] }, title: "The folder cannot be imported.");
        return TypedResults.Ok(await import.ImportAsync(request.Path, cancellationToken).ConfigureAwait(false));
    }

    /// "1,2,3" → [1, 2, 3] (distinct, in order), or null when it is not such a list.
    public static IReadOnlyList<int>? ParseIds(string? text)
        => IdList.Parse(text) is { Bad: null, Ids.Count: > 0 } parsed ? parsed.Ids : null;

    private static ValidationProblem Invalid(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["evaluations"] = [message] }, title: "The evaluations cannot be compared.");
}
