using System.Net;
using System.Net.Http.Json;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Tests.Integration;

public class FirstStartTests
{
    private static readonly TimeSpan GenerationTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Startup_EmptyDataRoot_GeneratesConfiguredSyntheticDatasetAndServesPages()
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:TrainSamples"] = "20",
            ["Phoenix:FirstStart:DevSamples"] = "5",
            ["Phoenix:FirstStart:TestSamples"] = "5",
        });
        Uri baseAddress = factory.StartKestrel();
        using var client = PhoenixWebFactory.ApiClient(baseAddress);

        HealthDto health = await WaitForBootstrapAsync(client);

        Assert.Equal("Completed", health.Bootstrap);
        var layout = new DatasetLayout(Path.Combine(factory.DataRoot, "phoenix-synth"));
        Assert.Equal(20, PhoenixCorpus.Load(layout.AnnotationsDir, "train").Count);
        Assert.Equal(5, PhoenixCorpus.Load(layout.AnnotationsDir, "dev").Count);
        Assert.Equal(5, PhoenixCorpus.Load(layout.AnnotationsDir, "test").Count);
        DatasetReport report = DatasetInspector.Inspect(layout.Root);
        Assert.Empty(report.Problems);

        foreach (string page in new[] { "/", "/datasets", "/datasets/phoenix-synth", "/score" })
        {
            using HttpResponseMessage response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        string datasets = await client.GetStringAsync("/datasets");
        // Prerendered markup; scoped-CSS attributes may sit between the test id and the closing '>'.
        Assert.Matches("data-testid=\"split-train-samples\"[^>]*>20<", datasets);
        Assert.Matches("data-testid=\"split-dev-samples\"[^>]*>5<", datasets);
    }

    [Fact]
    public async Task Startup_DataRootNotWritable_ReportsFailureOnHealthAndTheSignInPage()
    {
        // A file where the data root folder should be: the dataset cannot be created below it.
        using var factory = new PhoenixWebFactory();
        File.WriteAllText(factory.DataRoot, "not a folder");
        Uri baseAddress = factory.StartKestrel();
        using var client = new HttpClient { BaseAddress = baseAddress }; // anonymous: no account can exist
        using var withKey = PhoenixWebFactory.ApiClient(baseAddress);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await withKey.GetAsync("/api/runs")).StatusCode);

        HealthDto health = await WaitForBootstrapAsync(client);

        Assert.Equal("Failed", health.Bootstrap);
        Assert.Contains(factory.DataRoot, health.BootstrapError);
        // The accounts live in the database under the data root, so nobody can sign in: the sign-in page says why.
        string login = await client.GetStringAsync("/login");
        Assert.Contains("data-testid=\"database-error\"", login);
        Assert.Contains(factory.DataRoot, login);
    }

    private static async Task<HealthDto> WaitForBootstrapAsync(HttpClient client)
    {
        DateTime deadline = DateTime.UtcNow + GenerationTimeout;
        while (true)
        {
            HealthDto health = (await client.GetFromJsonAsync<HealthDto>("/health"))!;
            if (health.Bootstrap is not ("Pending" or "Running") || DateTime.UtcNow > deadline)
                return health;
            await Task.Delay(100);
        }
    }

    private sealed record HealthDto(string Status, string Bootstrap, string? BootstrapError);
}
