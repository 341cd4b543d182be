using Microsoft.AspNetCore.Diagnostics;

namespace PhoenixSlt.Web.Security;

/// API, hub and OpenAPI requests answer with their own status codes (401, 403, 404) instead of the portal's
/// "not found" page, so scripts see what happened.
public sealed class ApiStatusCodesMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SecurityServiceCollectionExtensions.IsApiRequest(context.Request) && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        return next(context);
    }
}
