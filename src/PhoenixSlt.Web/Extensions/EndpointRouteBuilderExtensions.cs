using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Services;

namespace PhoenixSlt.Web.Extensions;

public static class EndpointRouteBuilderExtensions
{
    /// GET /health: {"status":"ok","bootstrap":"Completed"} — liveness plus the first-start state.
    public static IEndpointRouteBuilder MapPhoenixHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (BootstrapNotifier bootstrap) => Results.Json(new HealthReport(
                "ok",
                bootstrap.Current.State.ToString(),
                bootstrap.Current.Error)))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }

    /// The portal's REST APIs and hubs: runs (/api/runs, /hubs/training), run groups (/api/groups), tags and notes,
    /// checkpoints and evaluations (/api/checkpoints, /api/evaluations, /api/compare), translation (/api/translate,
    /// /hubs/translate).
    public static IEndpointRouteBuilder MapPhoenixApis(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPhoenixTraining();
        endpoints.MapCheckpointsApi();
        endpoints.MapTranslateApi();
        endpoints.MapGroupsApi();
        endpoints.MapAnnotationsApi();
        endpoints.MapRunComparisonApi();
        return endpoints;
    }

    public sealed record HealthReport(string Status, string Bootstrap, string? BootstrapError);
}
