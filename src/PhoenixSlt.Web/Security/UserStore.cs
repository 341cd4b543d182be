using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;

namespace PhoenixSlt.Web.Security;

/// A user as pages and APIs see it (no hashes).
public sealed record UserInfo(int Id, string UserName, string Role, string? ApiKeyPrefix, DateTime CreatedAt, DateTime? LastSignInAt)
{
    public static UserInfo From(UserEntity user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Id, user.UserName, user.Role, user.ApiKeyPrefix, user.CreatedAt, user.LastSignInAt);
    }
}

/// The outcome of an account change: the changed user, or the reason it was refused.
public sealed record UserResult(UserInfo? User, string? Error)
{
    public static UserResult Fail(string error) => new(null, error);
}

/// Accounts in the portal's Sqlite database: sign-in checks, API keys and account management. Passwords are
/// hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512), API keys
/// with SHA-256 (they are 256-bit random values, so a slow hash adds nothing).
public sealed class UserStore(IDbContextFactory<PhoenixDbContext> contexts, TimeProvider clock)
{
    public const string StampClaim = "phoenix:stamp";
    public const string ApiKeyPrefixText = "phx_";

    private static readonly PasswordHasher<UserEntity> Hasher = new();

    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken).ConfigureAwait(false);
        return users.Select(UserInfo.From).ToList();
    }

    public async Task<UserEntity?> FindAsync(string userName, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false);
    }

    /// The user when the password is right (and records the sign-in), else null. Hashes in an older format are
    /// upgraded on the way.
    public async Task<UserEntity?> CheckPasswordAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (UserNameRules.UserNameProblem(userName) is not null)
            return null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            // Same work as a real check, so response times do not reveal which user names exist.
            Hasher.VerifyHashedPassword(new UserEntity(), DummyHash.Value, password);
            return null;
        }
        var verdict = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
            return null;
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            user.PasswordHash = Hasher.HashPassword(user, password);
        user.LastSignInAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return user;
    }

    /// The user holding this API key, or null.
    public async Task<UserEntity?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 512)
            return null;
        string hash = HashApiKey(apiKey);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.ApiKeyHash == hash, cancellationToken).ConfigureAwait(false);
    }

    /// Whether the password is the user's current one (no sign-in is recorded).
    public static bool HasPassword(UserEntity user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
    }

    /// Whether the user still exists with this security stamp (a signed-in session is still valid).
    public async Task<bool> IsCurrentAsync(int id, string stamp, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AnyAsync(u => u.Id == id && u.SecurityStamp == stamp, cancellationToken).ConfigureAwait(false);
    }

    public async Task<UserResult> CreateAsync(string userName, string password, string role, CancellationToken cancellationToken = default)
    {
        if (UserNameRules.UserNameProblem(userName) is string nameProblem)
            return UserResult.Fail(nameProblem);
        if (UserNameRules.PasswordProblem(password) is string passwordProblem)
            return UserResult.Fail(passwordProblem);
        if (!PortalRoles.IsKnown(role))
            return UserResult.Fail($"Unknown role '{role}': use {string.Join(", ", PortalRoles.All)}.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken).ConfigureAwait(false))
            return UserResult.Fail($"A user named '{userName}' already exists.");
        var user = new UserEntity { UserName = userName, Role = role, CreatedAt = clock.GetUtcNow().UtcDateTime, SecurityStamp = NewStamp() };
        user.PasswordHash = Hasher.HashPassword(user, password);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new UserResult(UserInfo.From(user), null);
    }

    public Task<UserResult> SetPasswordAsync(int id, string password, CancellationToken cancellationToken = default) =>
        UserNameRules.PasswordProblem(password) is string problem
            ? Task.FromResult(UserResult.Fail(problem))
            : UpdateAsync(id, user => user.PasswordHash = Hasher.HashPassword(user, password), endSessions: true, cancellationToken);

    /// Changes a role; the last admin cannot be demoted (nobody could manage accounts any more).
    public async Task<UserResult> SetRoleAsync(int id, string role, CancellationToken cancellationToken = default)
    {
        if (!PortalRoles.IsKnown(role))
            return UserResult.Fail($"Unknown role '{role}': use {string.Join(", ", PortalRoles.All)}.");
        if (role != PortalRoles.Admin && await IsLastAdminAsync(id, cancellationToken).ConfigureAwait(false))
            return UserResult.Fail("This is the only admin; make another user admin first.");
        return await UpdateAsync(id, user => user.Role = role, endSessions: true, cancellationToken).ConfigureAwait(false);
    }

    /// Deletes an account; the last admin cannot be deleted.
    public async Task<UserResult> DeleteAsync(int id, CancellationToken cancellationToken = default)
    {
        if (await IsLastAdminAsync(id, cancellationToken).ConfigureAwait(false))
            return UserResult.Fail("This is the only admin; make another user admin first.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return UserResult.Fail($"User {id} does not exist.");
        db.Users.Remove(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new UserResult(UserInfo.From(user), null);
    }

    /// Replaces the user's API key with a new random one and returns it; only its hash is kept, so this is
    /// the only time it can be shown.
    public async Task<(UserResult Result, string? ApiKey)> CreateApiKeyAsync(int id, CancellationToken cancellationToken = default)
    {
        string key = ApiKeyPrefixText + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var result = await SetApiKeyAsync(id, key, cancellationToken).ConfigureAwait(false);
        return (result, result.Error is null ? key : null);
    }

    /// Sets a given API key (the configured admin key); it must be at least <see cref="UserNameRules.MinApiKeyLength"/> characters.
    public async Task<UserResult> SetApiKeyAsync(int id, string apiKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        if (UserNameRules.ApiKeyProblem(apiKey) is string problem)
            return UserResult.Fail(problem);
        string hash = HashApiKey(apiKey);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await db.Users.AnyAsync(u => u.ApiKeyHash == hash && u.Id != id, cancellationToken).ConfigureAwait(false))
                return UserResult.Fail("This API key belongs to another user; choose another key.");
        }
        return await UpdateAsync(id, user =>
        {
            user.ApiKeyHash = hash;
            user.ApiKeyPrefix = apiKey[..Math.Min(8, apiKey.Length)];
        }, endSessions: false, cancellationToken).ConfigureAwait(false);
    }

    public Task<UserResult> RevokeApiKeyAsync(int id, CancellationToken cancellationToken = default) =>
        UpdateAsync(id, user =>
        {
            user.ApiKeyHash = null;
            user.ApiKeyPrefix = null;
        }, endSessions: false, cancellationToken);

    /// The claims of a signed-in user: id, name, role and the security stamp.
    public static ClaimsPrincipal ToPrincipal(UserEntity user, string authenticationType)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(ClaimTypes.Role, user.Role),
                new Claim(StampClaim, user.SecurityStamp),
            ],
            authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    /// Whether an exception means the accounts database cannot be used (missing, unreadable, not migrated).
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is Microsoft.Data.Sqlite.SqliteException or DbUpdateException or InvalidOperationException or IOException;

    /// Hex SHA-256 of the key's UTF-8 bytes.
    public static string HashApiKey(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// A random password for a generated admin account (24 URL-safe characters, 144 bits).
    public static string GeneratePassword() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(18));

    private static string NewStamp() => Guid.NewGuid().ToString("N");

    private async Task<bool> IsLastAdminAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var admins = await db.Users.Where(u => u.Role == PortalRoles.Admin).Select(u => u.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return admins.Count == 1 && admins[0] == id;
    }

    /// Applies a change; password and role changes renew the security stamp, which ends the user's browser
    /// sessions (API keys are checked on every request and need no stamp).
    private async Task<UserResult> UpdateAsync(int id, Action<UserEntity> change, bool endSessions, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
            return UserResult.Fail($"User {id} does not exist.");
        change(user);
        if (endSessions)
            user.SecurityStamp = NewStamp();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new UserResult(UserInfo.From(user), null);
    }

    private static class DummyHash
    {
        public static readonly string Value = Hasher.HashPassword(new UserEntity(), GeneratePassword());
    }
}
