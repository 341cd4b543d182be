using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Tests.Integration;

/// Hosts the portal on real Kestrel (random port) with a fresh temporary data root and small
/// first-start sizes. Extra settings override the defaults. The admin account has <see cref="AdminPassword"/>
/// and the API key <see cref="ApiKey"/> (set through Phoenix:Auth, as a deployment would).
public sealed class PhoenixWebFactory : WebApplicationFactory<Program>
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "test-admin-password";
    public const string ApiKey = "phx_test_api_key_0123456789abcdefghijklmnop";

    private readonly Dictionary<string, string?> _settings;

    public PhoenixWebFactory(IReadOnlyDictionary<string, string?>? settings = null)
    {
        Root = TestPaths.NewTempDir("phoenix-web");
        DataRoot = Path.Combine(Root, "data");
        _settings = new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = DataRoot,
            ["Phoenix:CheckpointRoot"] = Path.Combine(Root, "checkpoints"),
            ["Phoenix:FirstStart:TrainSamples"] = "20",
            ["Phoenix:FirstStart:DevSamples"] = "5",
            ["Phoenix:FirstStart:TestSamples"] = "5",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Phoenix:Auth:AdminUser"] = AdminUser,
            ["Phoenix:Auth:AdminPassword"] = AdminPassword,
            ["Phoenix:Auth:AdminApiKey"] = ApiKey,
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    /// Temporary folder holding the data root and checkpoints; deleted on dispose.
    public string Root { get; }

    public string DataRoot { get; }

    /// A client of the portal's API authenticated by <paramref name="apiKey"/> (the admin's by default).
    public static HttpClient ApiClient(Uri baseAddress, string apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add(AuthOptions.ApiKeyHeader, apiKey);
        return client;
    }

    /// Starts Kestrel on a free port and returns its base address.
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        string address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)
            .Replace("0.0.0.0", "localhost", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            TestPaths.TryDeleteDir(Root);
    }
}
