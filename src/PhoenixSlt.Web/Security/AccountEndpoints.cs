using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace PhoenixSlt.Web.Security;

public static class AccountEndpoints
{
    /// POST /logout (form with the antiforgery token): ends the browser session and goes to the sign-in page.
    public static IEndpointRouteBuilder MapPhoenixAccount(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/logout", LogoutAsync)
            .ExcludeFromDescription()
            .DisableAntiforgery(); // validated below, so a failure is a clear 400 rather than an exception page
        return endpoints;
    }

    public static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(antiforgery);
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token.",
                detail: "Sign out with the button of the portal's page.");
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.LocalRedirect("/login");
    }
}
