using Microsoft.AspNetCore.Http.HttpResults;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Api;

/// GET /api/runs/compare?ids=1,2: runs side by side (docs/EVENTS.md, "REST API"), the model of the comparison page.
public static class RunComparisonApi
{
    public static IEndpointRouteBuilder MapRunComparisonApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/api/runs/compare", CompareAsync).WithTags("Runs").WithName("CompareRuns")
            .WithSummary("Two or more runs side by side: settings (which differ), metrics at each run's best checkpoint (best marked), parallel-coordinates rows (differing numeric settings vs dev BLEU-4).");
        return endpoints;
    }

    public static async Task<Results<Ok<RunComparison>, NotFound<ProblemDetailsText>, ValidationProblem>> CompareAsync(
        string? ids, RunStore store, CancellationToken cancellationToken)
    {
        ComparisonLoad load = await RunComparisons.LoadAsync(store, ids, cancellationToken).ConfigureAwait(false);
        if (load.Comparison is { } comparison)
            return TypedResults.Ok(comparison);
        return load.Missing.Count > 0
            ? TypedResults.NotFound(new ProblemDetailsText(load.Problem!))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [load.Problem!] });
    }
}
