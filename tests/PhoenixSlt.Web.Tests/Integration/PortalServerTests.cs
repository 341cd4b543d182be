using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace PhoenixSlt.Web.Tests.Integration;

public class PortalServerTests
{
    [Fact]
    public async Task Health_RealKestrel_ReturnsOkJson()
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        Uri baseAddress = factory.StartKestrel();
        using var client = PhoenixWebFactory.ApiClient(baseAddress);

        using HttpResponseMessage response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/app.css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task Get_PagesAndAssets_Return200(string path)
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        Uri baseAddress = factory.StartKestrel();
        using var client = PhoenixWebFactory.ApiClient(baseAddress);

        using HttpResponseMessage response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_UnknownPage_Returns404()
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        Uri baseAddress = factory.StartKestrel();
        using var client = PhoenixWebFactory.ApiClient(baseAddress);

        using HttpResponseMessage response = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("Phoenix:DefaultDataset", "../outside")]
    [InlineData("Phoenix:DataRoot", "")]
    [InlineData("Phoenix:FirstStart:TrainSamples", "0")]
    public void Start_InvalidOption_FailsAtStartupNamingTheSetting(string key, string value)
    {
        using var factory = new PhoenixWebFactory(new Dictionary<string, string?> { [key] = value });

        Exception ex = Assert.ThrowsAny<Exception>(() => factory.StartKestrel());

        OptionsValidationException validation = Assert.IsType<OptionsValidationException>(Unwrap(ex));
        Assert.Contains(key.Split(':')[^1], string.Join(" ", validation.Failures));
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerException: { } inner })
            ex = inner;
        return ex;
    }
}
