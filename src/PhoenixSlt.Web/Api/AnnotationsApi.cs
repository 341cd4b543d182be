using Microsoft.AspNetCore.Http.HttpResults;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Api;

/// Tags and notes of runs and checkpoints (docs/EVENTS.md, "REST API"). A body field left out (null) is kept.
public static class AnnotationsApi
{
    /// The body of PATCH …/annotations: new tags (replacing the old ones) and/or notes ("" clears them).
    public sealed record AnnotationRequest(IReadOnlyList<string>? Tags, string? Notes);

    public static IEndpointRouteBuilder MapAnnotationsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPatch("/api/runs/{id:int}/annotations", AnnotateRunAsync).WithTags("Runs").WithName("AnnotateRun")
            .RequireAuthorization(PortalPolicies.Operator).WithSummary("Set a run's tags and/or notes.");
        endpoints.MapGet("/api/runs/tags", RunTagsAsync).WithTags("Runs").WithName("ListRunTags")
            .WithSummary("Every tag used on runs with its number of runs, most used first (filter the run list with ?tag=).");
        endpoints.MapPatch("/api/checkpoints/{id:int}/annotations", AnnotateCheckpointAsync).WithTags("Checkpoints").WithName("AnnotateCheckpoint")
            .RequireAuthorization(PortalPolicies.Operator).WithSummary("Set a checkpoint's tags and/or notes.");
        return endpoints;
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetailsText>, ValidationProblem>> AnnotateRunAsync(
        int id, AnnotationRequest request, TagService service, CancellationToken cancellationToken)
        => ToResult(await service.AnnotateRunAsync(id, request.Tags, request.Notes, cancellationToken).ConfigureAwait(false), $"Run {id} does not exist.");

    public static async Task<Results<NoContent, NotFound<ProblemDetailsText>, ValidationProblem>> AnnotateCheckpointAsync(
        int id, AnnotationRequest request, TagService service, CancellationToken cancellationToken)
        => ToResult(await service.AnnotateCheckpointAsync(id, request.Tags, request.Notes, cancellationToken).ConfigureAwait(false), $"Checkpoint {id} does not exist.");

    public static async Task<Ok<IReadOnlyList<TagCount>>> RunTagsAsync(TagService service, CancellationToken cancellationToken)
        => TypedResults.Ok<IReadOnlyList<TagCount>>([.. (await service.RunTagsAsync(cancellationToken).ConfigureAwait(false)).Select(p => new TagCount(p.Key, p.Value))]);

    public sealed record TagCount(string Tag, int Runs);

    private static Results<NoContent, NotFound<ProblemDetailsText>, ValidationProblem> ToResult(AnnotationResult result, string notFound)
        => !result.Found ? TypedResults.NotFound(new ProblemDetailsText(notFound))
            : result.Problem is string problem ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tags"] = [problem] })
            : TypedResults.NoContent();
}
