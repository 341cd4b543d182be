using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Services;

namespace PhoenixSlt.Web.Security;

public static class SecurityServiceCollectionExtensions
{
    /// The default scheme: the API key scheme when the request carries <see cref="AuthOptions.ApiKeyHeader"/>,
    /// else the sign-in cookie.
    public const string DefaultScheme = "Phoenix";

    /// Accounts, cookie sign-in, API keys and the authorization policies: everything requires a signed-in user
    /// (fallback policy) unless an endpoint allows anonymous access (/health, /login, static files).
    public static IServiceCollection AddPhoenixSecurity(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UserStore>();
        services.AddSingleton<SignInThrottle>();
        // After the database initializer (hosted services start in registration order).
        services.AddHostedService<AdminAccountSeeder>();

        // Keys that protect the sign-in cookie and antiforgery tokens live under the data root (a volume in the
        // container), so sessions survive restarts and every instance of a deployment shares them.
        services.AddDataProtection().SetApplicationName("PhoenixSlt");
        services.AddOptions<KeyManagementOptions>()
            .Configure<PhoenixPaths, ILoggerFactory>((keys, paths, loggers) => ConfigureKeyFolder(keys, paths, loggers));

        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "Cookie or API key", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(AuthOptions.ApiKeyHeader)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((cookie, auth) => ConfigureCookie(cookie, auth.Value));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PortalPolicies.Operator, policy => policy.RequireRole(PortalRoles.Admin, PortalRoles.Operator))
            .AddPolicy(PortalPolicies.Admin, policy => policy.RequireRole(PortalRoles.Admin));
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// Folder of the data-protection keys: "&lt;data root&gt;/.keys".
    public static string KeysFolder(PhoenixPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.DataRoot, ".keys");
    }

    /// Keeps the keys in <see cref="KeysFolder"/>; when it cannot be created (a broken data root, which the portal
    /// reports elsewhere) the framework's default key location is used and sessions may not survive a restart.
    private static void ConfigureKeyFolder(KeyManagementOptions keys, PhoenixPaths paths, ILoggerFactory loggers)
    {
        string folder = KeysFolder(paths);
        try
        {
            Directory.CreateDirectory(folder);
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), loggers);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            loggers.CreateLogger(typeof(SecurityServiceCollectionExtensions)).LogError(
                "The sign-in keys cannot be kept in {Folder} ({Message}); using the default key location, so sign-ins may not survive a restart.",
                folder, e.Message);
        }
    }

    /// Requests answered with status codes instead of a redirect to the sign-in page (scripts and SignalR).
    public static bool IsApiRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie, AuthOptions auth)
    {
        cookie.Cookie.Name = "phoenix.auth";
        cookie.Cookie.HttpOnly = true;
        // Lax: sent on top-level navigation from links, never on cross-site POSTs (with antiforgery on top).
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.LoginPath = "/login";
        cookie.LogoutPath = "/logout";
        cookie.AccessDeniedPath = "/access-denied";
        cookie.ExpireTimeSpan = TimeSpan.FromHours(auth.SessionHours);
        cookie.SlidingExpiration = true;
        cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
        cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsApiRequest(context.Request))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// Ends a session whose user was deleted or whose password or role changed since sign-in.
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        string? id = principal?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        string? stamp = principal?.FindFirst(UserStore.StampClaim)?.Value;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        bool current;
        try
        {
            current = int.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out int userId) && stamp is not null
                && await users.IsCurrentAsync(userId, stamp, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (UserStore.IsDatabaseFailure(e))
        {
            current = false; // accounts cannot be checked: the sign-in page tells why
        }
        if (!current)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        }
    }
}
