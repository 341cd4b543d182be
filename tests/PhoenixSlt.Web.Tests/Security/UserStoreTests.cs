using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Security;

/// Accounts on a real Sqlite file.
public sealed class UserStoreTests : IDisposable
{
    private const string Password = "correct horse battery";

    private readonly SqliteTestDatabase _database = new();
    private readonly UserStore _users;

    public UserStoreTests() => _users = new UserStore(_database.Factory(), TimeProvider.System);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task CreateAsync_StoresAHashNotThePassword_AndTheRightPasswordSignsIn()
    {
        var created = await _users.CreateAsync("alice", Password, PortalRoles.Operator);

        Assert.Null(created.Error);
        using var db = _database.Create();
        UserEntity stored = db.Users.Single();
        Assert.DoesNotContain(Password, stored.PasswordHash, StringComparison.Ordinal);
        // ASP.NET Core Identity v3 hashes: base64 of a 0x01 format marker, PRF, iterations, salt and subkey.
        Assert.Equal(0x01, Convert.FromBase64String(stored.PasswordHash)[0]);
        Assert.NotNull(await _users.CheckPasswordAsync("alice", Password));
        Assert.Null(await _users.CheckPasswordAsync("alice", Password + "!"));
        Assert.Null(await _users.CheckPasswordAsync("bob", Password));
    }

    [Fact]
    public async Task CreateAsync_SameNameInOtherCase_IsRefused()
    {
        await _users.CreateAsync("Alice", Password, PortalRoles.Viewer);

        var again = await _users.CreateAsync("alice", Password, PortalRoles.Viewer);

        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.NotNull(await _users.CheckPasswordAsync("ALICE", Password));
    }

    [Theory]
    [InlineData("", Password, PortalRoles.Viewer, "user name has 1–64")]
    [InlineData("../etc", Password, PortalRoles.Viewer, "user name has 1–64")]
    [InlineData("carol", "short", PortalRoles.Viewer, "at least 10 characters")]
    [InlineData("carol", Password, "root", "Unknown role 'root'")]
    public async Task CreateAsync_BadInput_IsRefusedWithItsReason(string name, string password, string role, string expected)
    {
        var result = await _users.CreateAsync(name, password, role);

        Assert.Null(result.User);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        using var db = _database.Create();
        Assert.Empty(db.Users);
    }

    [Fact]
    public async Task CreateApiKeyAsync_KeyFindsTheUser_OnlyItsHashIsStored_RevokeEndsIt()
    {
        var user = (await _users.CreateAsync("scripts", Password, PortalRoles.Operator)).User!;

        var (result, key) = await _users.CreateApiKeyAsync(user.Id);

        Assert.Null(result.Error);
        Assert.StartsWith(UserStore.ApiKeyPrefixText, key, StringComparison.Ordinal);
        Assert.Equal("scripts", (await _users.FindByApiKeyAsync(key!))?.UserName);
        using (var db = _database.Create())
        {
            UserEntity stored = db.Users.Single();
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key!))), stored.ApiKeyHash);
            Assert.Equal(key![..8], stored.ApiKeyPrefix);
        }
        Assert.Null(await _users.FindByApiKeyAsync(key + "x"));

        await _users.RevokeApiKeyAsync(user.Id);

        Assert.Null(await _users.FindByApiKeyAsync(key!));
    }

    [Fact]
    public async Task SetApiKeyAsync_KeyOfAnotherUserOrTooShort_IsRefused()
    {
        var a = (await _users.CreateAsync("a-user", Password, PortalRoles.Viewer)).User!;
        var b = (await _users.CreateAsync("b-user", Password, PortalRoles.Viewer)).User!;
        string key = new('k', UserNameRules.MinApiKeyLength);
        Assert.Null((await _users.SetApiKeyAsync(a.Id, key)).Error);

        Assert.Contains("belongs to another user", (await _users.SetApiKeyAsync(b.Id, key)).Error, StringComparison.Ordinal);
        Assert.Contains("32–512 characters", (await _users.SetApiKeyAsync(b.Id, "short")).Error, StringComparison.Ordinal);
        Assert.Equal("a-user", (await _users.FindByApiKeyAsync(key))?.UserName);
    }

    [Fact]
    public async Task SetPasswordAsync_EndsSessionsWithTheOldStamp_ApiKeyChangesDoNot()
    {
        var user = (await _users.CreateAsync("dave", Password, PortalRoles.Viewer)).User!;
        string stamp = (await _users.FindAsync("dave"))!.SecurityStamp;
        await _users.CreateApiKeyAsync(user.Id);
        Assert.True(await _users.IsCurrentAsync(user.Id, stamp));

        await _users.SetPasswordAsync(user.Id, "another long password");

        Assert.False(await _users.IsCurrentAsync(user.Id, stamp));
        Assert.Null(await _users.CheckPasswordAsync("dave", Password));
        Assert.NotNull(await _users.CheckPasswordAsync("dave", "another long password"));
    }

    [Fact]
    public async Task SetRoleAndDelete_OnlyAdmin_AreRefusedUntilThereIsAnother()
    {
        var admin = (await _users.CreateAsync("root-admin", Password, PortalRoles.Admin)).User!;

        Assert.Contains("only admin", (await _users.SetRoleAsync(admin.Id, PortalRoles.Viewer)).Error, StringComparison.Ordinal);
        Assert.Contains("only admin", (await _users.DeleteAsync(admin.Id)).Error, StringComparison.Ordinal);

        var second = (await _users.CreateAsync("second-admin", Password, PortalRoles.Admin)).User!;
        Assert.Null((await _users.SetRoleAsync(admin.Id, PortalRoles.Operator)).Error);
        Assert.Contains("only admin", (await _users.DeleteAsync(second.Id)).Error, StringComparison.Ordinal);
        Assert.Null((await _users.DeleteAsync(admin.Id)).Error);
        Assert.Equal(["second-admin"], (await _users.ListAsync()).Select(u => u.UserName));
    }

    [Fact]
    public async Task ToPrincipal_CarriesIdNameRoleAndStamp()
    {
        await _users.CreateAsync("erin", Password, PortalRoles.Operator);
        UserEntity user = (await _users.FindAsync("erin"))!;

        var principal = UserStore.ToPrincipal(user, "test");

        Assert.Equal("erin", principal.Identity!.Name);
        Assert.True(principal.IsInRole(PortalRoles.Operator));
        Assert.False(principal.IsInRole(PortalRoles.Admin));
        Assert.True(PortalAccess.CanOperate(principal));
        Assert.Equal(user.SecurityStamp, principal.FindFirst(UserStore.StampClaim)?.Value);
    }
}
