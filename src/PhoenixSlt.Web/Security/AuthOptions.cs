using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Security;

/// Section "Phoenix:Auth": the admin account and sign-in settings.
/// Environment variables: Phoenix__Auth__AdminUser, Phoenix__Auth__AdminPassword, Phoenix__Auth__AdminApiKey.
public sealed class AuthOptions
{
    public const string SectionName = "Phoenix:Auth";

    /// Header scripted clients send their API key in.
    public const string ApiKeyHeader = "X-Api-Key";

    /// Name of the admin account, created at start when missing.
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(UserNameRules.Pattern, ErrorMessage = UserNameRules.Message)]
    public string AdminUser { get; set; } = "admin";

    /// Admin password. Set: applied at every start (configuration is the source of truth, so a lost password
    /// is reset by setting it). Empty: a password is generated when the account is first created and written
    /// once to the log.
    public string? AdminPassword { get; set; }

    /// Optional API key for the admin account (at least 32 characters), applied at every start; for scripted
    /// clients of a fresh deployment.
    public string? AdminApiKey { get; set; }

    /// How long a browser session lasts without activity.
    [Range(1, 24 * 90)]
    public int SessionHours { get; set; } = 12;

    /// Failed sign-ins of one user name before sign-in is paused for <see cref="LockoutSeconds"/>.
    [Range(1, 1000)]
    public int MaxFailedSignIns { get; set; } = 5;

    [Range(1, 86_400)]
    public int LockoutSeconds { get; set; } = 60;
}

/// What a user name and a password must look like.
public static class UserNameRules
{
    public const string Pattern = @"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$";
    public const string Message = "A user name has 1–64 characters: letters, digits, '.', '_', '@', '-' (starting with a letter or digit).";
    public const int MinPasswordLength = 10;
    public const int MinApiKeyLength = 32;
    public const int MaxApiKeyLength = 512;

    public static string? UserNameProblem(string? name) =>
        name is not null && System.Text.RegularExpressions.Regex.IsMatch(name, Pattern) ? null : Message;

    public static string? PasswordProblem(string? password) =>
        password is null || password.Length < MinPasswordLength
            ? $"A password has at least {MinPasswordLength} characters."
            : password.Length > 256 ? "A password has at most 256 characters." : null;

    public static string? ApiKeyProblem(string? apiKey) =>
        apiKey is null || apiKey.Length < MinApiKeyLength || apiKey.Length > MaxApiKeyLength || apiKey.Any(char.IsWhiteSpace)
            ? $"An API key has {MinApiKeyLength}–{MaxApiKeyLength} characters without spaces."
            : null;
}

/// Refuses to start with auth settings that cannot be applied (a configured admin password or API key that breaks
/// the rules), naming the setting and the rule — never the secret itself.
public sealed class AuthOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<AuthOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.AdminPassword) && UserNameRules.PasswordProblem(options.AdminPassword) is string password)
            failures.Add($"{AuthOptions.SectionName}:AdminPassword is not usable ({options.AdminPassword.Length} characters configured): {password}");
        if (!string.IsNullOrEmpty(options.AdminApiKey) && UserNameRules.ApiKeyProblem(options.AdminApiKey) is string apiKey)
            failures.Add($"{AuthOptions.SectionName}:AdminApiKey is not usable ({options.AdminApiKey.Length} characters configured): {apiKey} Generate one with e.g. openssl rand -hex 32, or leave it empty.");
        return failures.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
