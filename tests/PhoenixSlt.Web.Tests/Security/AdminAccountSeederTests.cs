using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Security;

public sealed class AdminAccountSeederTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly UserStore _users;

    public AdminAccountSeederTests() => _users = new UserStore(_database.Factory(), TimeProvider.System);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task SeedAsync_NoPasswordConfigured_GeneratesOneOnceAndItSignsIn()
    {
        var first = await AdminAccountSeeder.SeedAsync(_users, new AuthOptions(), CancellationToken.None);

        Assert.True(first.Created);
        Assert.Empty(first.Problems);
        Assert.NotNull(first.GeneratedPassword);
        Assert.True(first.GeneratedPassword!.Length >= UserNameRules.MinPasswordLength);
        var admin = await _users.CheckPasswordAsync("admin", first.GeneratedPassword);
        Assert.Equal(PortalRoles.Admin, admin?.Role);

        var second = await AdminAccountSeeder.SeedAsync(_users, new AuthOptions(), CancellationToken.None);

        Assert.False(second.Created);
        Assert.Null(second.GeneratedPassword);
        Assert.NotNull(await _users.CheckPasswordAsync("admin", first.GeneratedPassword));
    }

    [Fact]
    public async Task SeedAsync_ConfiguredPassword_IsAppliedToAnExistingAdminWithoutEndingSessionsWhenUnchanged()
    {
        await AdminAccountSeeder.SeedAsync(_users, new AuthOptions { AdminUser = "boss", AdminPassword = "first password!" }, CancellationToken.None);
        string stamp = (await _users.FindAsync("boss"))!.SecurityStamp;

        await AdminAccountSeeder.SeedAsync(_users, new AuthOptions { AdminUser = "boss", AdminPassword = "first password!" }, CancellationToken.None);
        Assert.Equal(stamp, (await _users.FindAsync("boss"))!.SecurityStamp);

        var outcome = await AdminAccountSeeder.SeedAsync(_users, new AuthOptions { AdminUser = "boss", AdminPassword = "second password!" }, CancellationToken.None);

        Assert.False(outcome.Created);
        Assert.Null(await _users.CheckPasswordAsync("boss", "first password!"));
        Assert.NotNull(await _users.CheckPasswordAsync("boss", "second password!"));
    }

    [Fact]
    public async Task SeedAsync_ConfiguredApiKey_AuthenticatesTheAdmin()
    {
        const string key = "phx_configured_key_0123456789abcdef";

        await AdminAccountSeeder.SeedAsync(_users, new AuthOptions { AdminApiKey = key }, CancellationToken.None);

        Assert.Equal("admin", (await _users.FindByApiKeyAsync(key))?.UserName);
    }

    [Fact]
    public async Task SeedAsync_UnusableSettings_AreReportedAndTheAccountStillExists()
    {
        var outcome = await AdminAccountSeeder.SeedAsync(_users, new AuthOptions { AdminPassword = "short", AdminApiKey = "tiny" }, CancellationToken.None);

        Assert.True(outcome.Created);
        Assert.NotNull(outcome.GeneratedPassword); // the short password was not used
        Assert.Contains(outcome.Problems, p => p.Contains("AdminPassword is not usable", StringComparison.Ordinal));
        Assert.Contains(outcome.Problems, p => p.Contains("AdminApiKey is not usable", StringComparison.Ordinal));
        Assert.Null(await _users.FindByApiKeyAsync("tiny"));
    }
}
