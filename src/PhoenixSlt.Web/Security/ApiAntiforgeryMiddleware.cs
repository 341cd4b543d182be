using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace PhoenixSlt.Web.Security;

/// API calls that change state and are authenticated by the browser's sign-in cookie must carry an antiforgery
/// token (header RequestVerificationToken), so another site cannot make a signed-in browser call them. Calls
/// authenticated by API key carry no ambient credentials and need none.
public sealed class ApiAntiforgeryMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (NeedsToken(context) && !await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            await Results.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Missing or invalid antiforgery token.",
                    detail: $"This call is authenticated by the sign-in cookie and needs the antiforgery token; scripted clients should send their API key in the {AuthOptions.ApiKeyHeader} header instead.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private static bool NeedsToken(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme };
}
