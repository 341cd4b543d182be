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
            .ExcludeFromDescription();
        endpoints.MapCheckpointsApi();
        endpoints.MapTranslateApi();
        return endpoints;
    }

    public sealed record HealthReport(string Status, string Bootstrap, string? BootstrapError);
}
