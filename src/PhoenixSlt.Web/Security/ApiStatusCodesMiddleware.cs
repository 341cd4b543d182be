using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace PhoenixSlt.Web.Security;

/// API, hub and OpenAPI requests answer with their own status codes (401, 403, 404, 415, …) instead of the portal's
/// "not found" page, so scripts see what happened; an error answer without a body gets an application/problem+json
/// body (RFC 9457) with a title and a detail that says what to do.
public sealed class ApiStatusCodesMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!SecurityServiceCollectionExtensions.IsApiRequest(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        await next(context).ConfigureAwait(false);
        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.ContentLength > 0 || !string.IsNullOrEmpty(response.ContentType))
            return;
        var (title, detail) = Describe(context);
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = response.StatusCode, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    /// The title and detail of an error answer that its endpoint left without a body.
    public static (string Title, string Detail) Describe(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        string target = $"{request.Method} {request.Path}";
        return context.Response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => ("Unauthorized",
                $"{target} needs a signed-in user: send an API key in the {AuthOptions.ApiKeyHeader} header (create one on the Account page), or sign in at /login."),
            StatusCodes.Status403Forbidden => ("Forbidden",
                $"Your account's role does not allow {target}; launching and cancelling runs and evaluations needs the operator or admin role, managing users the admin role."),
            StatusCodes.Status404NotFound => ("Not found",
                context.GetEndpoint() is null
                    ? $"There is no API endpoint {target}; the endpoints are listed in /openapi/v1.json."
                    : $"{target}: the requested item does not exist (check its id)."),
            StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"{request.Path} does not accept {request.Method}; see /openapi/v1.json."),
            StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", UnsupportedMediaType(context)),
            _ => (ReasonPhrases(context.Response.StatusCode), $"{target} failed with status {context.Response.StatusCode}."),
        };
    }

    private static string UnsupportedMediaType(HttpContext context)
    {
        string sent = string.IsNullOrEmpty(context.Request.ContentType) ? "no Content-Type" : $"Content-Type '{context.Request.ContentType}'";
        var accepted = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(m => m.ContentTypes).Distinct().ToList();
        string expected = accepted is { Count: > 0 } ? string.Join(" or ", accepted) : "application/json";
        return $"{context.Request.Method} {context.Request.Path} takes a body of type {expected}; the request sent {sent}.";
    }

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
