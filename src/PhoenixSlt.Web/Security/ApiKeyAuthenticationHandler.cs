using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PhoenixSlt.Web.Security;

/// Authenticates scripted clients by the <see cref="AuthOptions.ApiKeyHeader"/> header (one key per user).
/// A request without the header is left to the cookie scheme; a wrong key fails.
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AuthOptions.ApiKeyHeader, out var values) || values.Count == 0)
            return AuthenticateResult.NoResult();
        if (values.Count > 1)
            return AuthenticateResult.Fail($"Send one {AuthOptions.ApiKeyHeader} header, not {values.Count}.");
        Data.UserEntity? user;
        try
        {
            user = await users.FindByApiKeyAsync(values[0] ?? "", Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (UserStore.IsDatabaseFailure(e))
        {
            return AuthenticateResult.Fail($"Accounts are unavailable: the database cannot be read ({e.Message}).");
        }
        if (user is null)
            return AuthenticateResult.Fail($"The {AuthOptions.ApiKeyHeader} header holds no valid API key.");
        return AuthenticateResult.Success(new AuthenticationTicket(UserStore.ToPrincipal(user, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }
}
