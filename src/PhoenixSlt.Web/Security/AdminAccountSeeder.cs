using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Data;

namespace PhoenixSlt.Web.Security;

/// At start (after the database is ready): creates the admin account when it is missing — with the configured
/// password, or a generated one written once to the log — and applies a configured password or API key.
public sealed class AdminAccountSeeder(UserStore users, DatabaseState database, IOptions<AuthOptions> options, ILogger<AdminAccountSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.IsReady)
        {
            logger.LogError("No admin account could be prepared: the database is unavailable ({Error}).", database.Error);
            return;
        }
        var settings = options.Value;
        var outcome = await SeedAsync(users, settings, cancellationToken).ConfigureAwait(false);
        foreach (string problem in outcome.Problems)
            logger.LogError("Admin account {User}: {Problem}", settings.AdminUser, problem);
        if (outcome.GeneratedPassword is string password)
        {
            // The only time this password exists in clear text: it is not stored, only its hash.
            logger.LogWarning(
                "Created the admin account '{User}' with the generated password {Password} — sign in at /login and keep it safe; it is shown only this once (set Phoenix:Auth:AdminPassword to choose one).",
                settings.AdminUser, password);
        }
        else if (outcome.Created)
        {
            logger.LogInformation("Created the admin account '{User}' with the configured password.", settings.AdminUser);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// What seeding did: whether it created the account, the generated password (when one was), problems.
    public sealed record Outcome(bool Created, string? GeneratedPassword, IReadOnlyList<string> Problems);

    public static async Task<Outcome> SeedAsync(UserStore users, AuthOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        string? configuredPassword = string.IsNullOrEmpty(settings.AdminPassword) ? null : settings.AdminPassword;
        if (configuredPassword is not null && UserNameRules.PasswordProblem(configuredPassword) is string passwordProblem)
        {
            problems.Add($"Phoenix:Auth:AdminPassword is not usable: {passwordProblem}");
            configuredPassword = null;
        }

        bool created = false;
        string? generated = null;
        var admin = await users.FindAsync(settings.AdminUser, cancellationToken).ConfigureAwait(false);
        if (admin is null)
        {
            string password = configuredPassword ?? (generated = UserStore.GeneratePassword());
            var result = await users.CreateAsync(settings.AdminUser, password, PortalRoles.Admin, cancellationToken).ConfigureAwait(false);
            if (result.Error is not null)
                return new Outcome(false, null, [.. problems, result.Error]);
            created = true;
            admin = await users.FindAsync(settings.AdminUser, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (configuredPassword is not null && !UserStore.HasPassword(admin, configuredPassword))
                AddProblem(problems, await users.SetPasswordAsync(admin.Id, configuredPassword, cancellationToken).ConfigureAwait(false));
            if (admin.Role != PortalRoles.Admin)
                AddProblem(problems, await users.SetRoleAsync(admin.Id, PortalRoles.Admin, cancellationToken).ConfigureAwait(false));
        }

        if (admin is not null && !string.IsNullOrEmpty(settings.AdminApiKey) && admin.ApiKeyHash != UserStore.HashApiKey(settings.AdminApiKey))
        {
            var result = await users.SetApiKeyAsync(admin.Id, settings.AdminApiKey, cancellationToken).ConfigureAwait(false);
            if (result.Error is not null)
                problems.Add($"Phoenix:Auth:AdminApiKey is not usable: {result.Error}");
        }
        return new Outcome(created, generated, problems);
    }

    private static void AddProblem(List<string> problems, UserResult result)
    {
        if (result.Error is not null)
            problems.Add(result.Error);
    }
}
