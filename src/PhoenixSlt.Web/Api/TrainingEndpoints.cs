using PhoenixSlt.Web.Hubs;

namespace PhoenixSlt.Web.Api;

public static class TrainingEndpoints
{
    /// The training REST API, its OpenAPI document (/openapi/v1.json) and the SignalR hub /hubs/training.
    public static IEndpointRouteBuilder MapPhoenixTraining(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpenApi();
        endpoints.MapRunsApi();
        endpoints.MapHub<TrainingHub>(TrainingHub.Route);
        return endpoints;
    }
}
