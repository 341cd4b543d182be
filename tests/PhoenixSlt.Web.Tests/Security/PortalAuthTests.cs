using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Security;

/// Sign-in, API keys and roles on the real portal (Kestrel, Sqlite file).
public sealed partial class PortalAuthTests : IDisposable
{
    private readonly PhoenixWebFactory _factory = new(new Dictionary<string, string?>
    {
        // No dataset generation: these tests only need the accounts.
        ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        ["Phoenix:Auth:MaxFailedSignIns"] = "3",
    });

    private readonly Uri _baseAddress;

    public PortalAuthTests() => _baseAddress = _factory.StartKestrel();

    public void Dispose() => _factory.Dispose();

    /// Endpoints that must answer without sign-in; everything else must refuse an anonymous caller.
    private static readonly string[] AnonymousRoutes = ["/health", "/login", "/Error", "/not-found"];

    /// Routes the enumeration must find (so an empty or broken enumeration cannot pass).
    private static readonly string[] KnownProtectedRoutes =
    [
        "POST /api/runs", "GET /api/runs", "GET /api/runs/defaults", "GET /api/runs/{id:int}", "POST /api/runs/{id:int}/cancel", "POST /api/runs/{id:int}/resume",
        "GET /api/runs/{id:int}/metrics", "GET /api/runs/{id:int}/logs", "GET /api/checkpoints", "POST /api/checkpoints/{id:int}/evaluate",
        "POST /api/checkpoints/import-mbart", "GET /api/evaluations", "GET /api/evaluations/{id:int}", "GET /api/compare",
        "POST /api/translate", "GET /hubs/training", "GET /hubs/training/negotiate", "GET /hubs/translate", "GET /hubs/translate/negotiate", "GET /openapi/{documentName}.json",
        "GET /", "GET /runs", "GET /runs/new", "GET /runs/{Id:int}", "GET /checkpoints", "GET /checkpoints/compare", "GET /translate",
        "GET /datasets", "GET /score", "GET /system", "GET /account", "GET /users", "GET /access-denied",
        "GET /api/evaluations/{id:int}/sentences", "GET /evaluations/{Id:int}",
    ];

    [Fact]
    public async Task EveryEndpoint_Anonymous_IsRefused_ExceptHealthAndSignIn()
    {
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsStaticAsset(e))
            .SelectMany(e => Methods(e).Select(method => (Method: method, Route: "/" + e.RoutePattern.RawText!.Trim('/'), Endpoint: e)))
            .DistinctBy(e => (e.Method, e.Route))
            .ToList();
        var names = endpoints.Select(e => $"{e.Method} {e.Route}").ToHashSet();
        Assert.True(KnownProtectedRoutes.All(names.Contains),
            $"missing: {string.Join(", ", KnownProtectedRoutes.Where(r => !names.Contains(r)))}; found: {string.Join(", ", names.Order())}");

        var anonymous = endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.Route).Distinct().Order().ToList();
        Assert.Equal(AnonymousRoutes.Order(), anonymous.Where(r => !r.StartsWith("/_", StringComparison.Ordinal)));

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _baseAddress };
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (var (method, route, endpoint) in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
                continue;
            using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(route));
            if (method is "POST" or "PUT" or "PATCH")
                request.Content = JsonContent.Create(new { });
            using var response = await client.SendAsync(request);
            checkedCount++;
            bool api = route.StartsWith("/api", StringComparison.Ordinal) || route.StartsWith("/hubs", StringComparison.Ordinal)
                || route.StartsWith("/openapi", StringComparison.Ordinal) || route.StartsWith("/_blazor", StringComparison.Ordinal);
            bool refused = api
                ? response.StatusCode == HttpStatusCode.Unauthorized
                : response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.AbsolutePath == "/login";
            if (!refused)
                failures.Add($"{method} {route} → {(int)response.StatusCode} {response.Headers.Location}");
        }
        Assert.Empty(failures);
        Assert.True(checkedCount >= KnownProtectedRoutes.Length, $"only {checkedCount} endpoints were checked");
    }

    [Fact]
    public async Task Health_Anonymous_Answers()
    {
        using var client = new HttpClient { BaseAddress = _baseAddress };
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiKey_WrongKey_IsRefusedWithItsScheme()
    {
        using var client = PhoenixWebFactory.ApiClient(_baseAddress, "phx_not_a_key_of_anybody_000000000000");

        using var response = await client.GetAsync("/api/runs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(ApiKeyAuthenticationHandler.SchemeName, response.Headers.WwwAuthenticate.Select(h => h.Scheme));
    }

    [Fact]
    public async Task ApiKey_ViewerRole_ReadsAndTranslatesButCannotLaunch()
    {
        string viewerKey = await CreateUserWithKeyAsync("viewer1", PortalRoles.Viewer);
        using var viewer = PhoenixWebFactory.ApiClient(_baseAddress, viewerKey);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/checkpoints")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/runs", new { phase = "slt" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/runs/1/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/runs/1/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/checkpoints/1/evaluate", new { split = "dev" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/checkpoints/import-mbart", new { path = "/tmp" })).StatusCode);
        // Translation is for every signed-in user: past authorization, the empty form is a 400 naming what to send.
        using var translate = await viewer.PostAsync("/api/translate", new MultipartFormDataContent());
        Assert.Equal(HttpStatusCode.BadRequest, translate.StatusCode);
    }

    [Fact]
    public async Task ApiErrors_WithoutABodyOfTheirOwn_AnswerProblemJsonWithTheReason()
    {
        string viewerKey = await CreateUserWithKeyAsync("viewer3", PortalRoles.Viewer);
        using var viewer = PhoenixWebFactory.ApiClient(_baseAddress, viewerKey);
        using var admin = PhoenixWebFactory.ApiClient(_baseAddress);
        using var anonymous = new HttpClient { BaseAddress = _baseAddress };

        using var forbidden = await viewer.PostAsJsonAsync("/api/runs", new { phase = "slt" });
        using var unsupported = await admin.PostAsync("/api/runs", new StringContent("phase=slt", System.Text.Encoding.UTF8, "text/plain"));
        using var unknown = await admin.GetAsync("/api/no-such-thing");
        using var unauthorized = await anonymous.GetAsync("/api/runs");

        await AssertProblem(forbidden, HttpStatusCode.Forbidden, "Your account's role does not allow POST /api/runs");
        await AssertProblem(unsupported, HttpStatusCode.UnsupportedMediaType, "POST /api/runs takes a body of type application/json; the request sent Content-Type 'text/plain; charset=utf-8'");
        await AssertProblem(unknown, HttpStatusCode.NotFound, "There is no API endpoint GET /api/no-such-thing");
        await AssertProblem(unauthorized, HttpStatusCode.Unauthorized, $"send an API key in the {AuthOptions.ApiKeyHeader} header");
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("title").GetString()));
        Assert.Contains(detail, body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_OperatorRole_PassesAuthorizationToValidation()
    {
        string operatorKey = await CreateUserWithKeyAsync("operator1", PortalRoles.Operator);
        using var client = PhoenixWebFactory.ApiClient(_baseAddress, operatorKey);

        using var response = await client.PostAsJsonAsync("/api/runs", new { phase = "no-such-phase" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("phase", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_Form_SetsTheSessionCookie_AndSignOutEndsIt()
    {
        using var browser = new BrowserClient(_baseAddress);

        var landing = await browser.Http.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
        Assert.Equal("/login", landing.Headers.Location!.AbsolutePath);

        using var signedIn = await browser.SignInAsync(PhoenixWebFactory.AdminUser, PhoenixWebFactory.AdminPassword, "/runs");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(new Uri(_baseAddress, "/runs"), new Uri(_baseAddress, signedIn.Headers.Location!));
        Assert.Contains(browser.Cookies.GetAllCookies(), c => c is { Name: "phoenix.auth", HttpOnly: true });

        string runs = await browser.Http.GetStringAsync("/runs");
        Assert.Contains("data-testid=\"current-user\"", runs);

        using var logout = await browser.PostFormAsync("/logout", new Dictionary<string, string> { ["__RequestVerificationToken"] = AntiforgeryToken(runs) });
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login", logout.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Http.GetAsync("/runs")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsTheReason_AndRepeatedFailuresPauseSignIn()
    {
        using var browser = new BrowserClient(_baseAddress);

        using var wrong = await browser.SignInAsync(PhoenixWebFactory.AdminUser, "not the password", "/");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Wrong user name or password.", await wrong.Content.ReadAsStringAsync());
        Assert.DoesNotContain(browser.Cookies.GetAllCookies(), c => c.Name == "phoenix.auth");

        (await browser.SignInAsync(PhoenixWebFactory.AdminUser, "not the password", "/")).Dispose();
        (await browser.SignInAsync(PhoenixWebFactory.AdminUser, "not the password", "/")).Dispose();
        using var locked = await browser.SignInAsync(PhoenixWebFactory.AdminUser, PhoenixWebFactory.AdminPassword, "/");

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode); // even the right password waits out the pause
        Assert.Contains("Too many failed sign-ins", await locked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignIn_ForeignReturnUrl_LandsOnTheHomePage()
    {
        using var browser = new BrowserClient(_baseAddress);

        using var response = await browser.SignInAsync(PhoenixWebFactory.AdminUser, PhoenixWebFactory.AdminPassword, "//evil.example/steal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(new Uri(_baseAddress, "/"), new Uri(_baseAddress, response.Headers.Location!));
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRejected()
    {
        using var browser = new BrowserClient(_baseAddress);

        using var response = await browser.PostFormAsync("/login", new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.UserName"] = PhoenixWebFactory.AdminUser,
            ["Input.Password"] = PhoenixWebFactory.AdminPassword,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(browser.Cookies.GetAllCookies(), c => c.Name == "phoenix.auth");
    }

    [Fact]
    public async Task CookieSession_ApiWriteWithoutAntiforgeryToken_IsRejected_WithTokenPassesToValidation()
    {
        using var browser = new BrowserClient(_baseAddress);
        (await browser.SignInAsync(PhoenixWebFactory.AdminUser, PhoenixWebFactory.AdminPassword, "/")).Dispose();

        using var bare = await browser.Http.PostAsJsonAsync("/api/runs", new { phase = "no-such-phase" });
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("antiforgery", await bare.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        string token = AntiforgeryToken(await browser.Http.GetStringAsync("/runs"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { phase = "no-such-phase" }) };
        request.Headers.Add("RequestVerificationToken", token);
        using var withToken = await browser.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, withToken.StatusCode);
        Assert.DoesNotContain("antiforgery", await withToken.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CookieSession_PasswordChangedElsewhere_EndsTheSession()
    {
        using var browser = new BrowserClient(_baseAddress);
        string key = await CreateUserWithKeyAsync("frank", PortalRoles.Operator);
        (await browser.SignInAsync("frank", TestPassword, "/")).Dispose();
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/runs")).StatusCode);

        var users = _factory.Services.GetRequiredService<UserStore>();
        var frank = await users.FindAsync("frank");
        await users.SetPasswordAsync(frank!.Id, "a brand new password");

        using var after = await browser.Http.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/login", after.Headers.Location!.AbsolutePath);
        // The API key is a separate credential and still works.
        using var api = PhoenixWebFactory.ApiClient(_baseAddress, key);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/runs")).StatusCode);
    }

    [Fact]
    public async Task NewRunPage_ViewerSession_IsSentToAccessDenied()
    {
        await CreateUserWithKeyAsync("viewer2", PortalRoles.Viewer);
        using var browser = new BrowserClient(_baseAddress);
        (await browser.SignInAsync("viewer2", TestPassword, "/")).Dispose();

        using var response = await browser.Http.GetAsync("/runs/new");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/access-denied", response.Headers.Location!.AbsolutePath);
        string page = await browser.Http.GetStringAsync(response.Headers.Location);
        Assert.Contains("needs the operator role", page);
    }

    [Fact]
    public async Task CookieSession_PortalRestartsOnTheSameDataRoot_StaysSignedIn()
    {
        using var browser = new BrowserClient(_baseAddress);
        (await browser.SignInAsync(PhoenixWebFactory.AdminUser, PhoenixWebFactory.AdminPassword, "/")).Dispose();
        var cookie = browser.Cookies.GetAllCookies().Single(c => c.Name == "phoenix.auth");
        Assert.True(Directory.EnumerateFiles(Path.Combine(_factory.DataRoot, ".keys"), "key-*.xml").Any());

        using var restarted = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = _factory.DataRoot,
            ["Phoenix:CheckpointRoot"] = Path.Combine(_factory.Root, "checkpoints"),
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        Uri second = restarted.StartKestrel();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = second };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runs");
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private const string TestPassword = "a test user password";

    private async Task<string> CreateUserWithKeyAsync(string name, string role)
    {
        var users = _factory.Services.GetRequiredService<UserStore>();
        var created = await users.CreateAsync(name, TestPassword, role);
        Assert.Null(created.Error);
        var (result, key) = await users.CreateApiKeyAsync(created.User!.Id);
        Assert.Null(result.Error);
        return key!;
    }

    private static bool IsStaticAsset(RouteEndpoint endpoint) =>
        endpoint.Metadata.OfType<object>().Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal))
        || endpoint.DisplayName?.Contains("StaticAsset", StringComparison.OrdinalIgnoreCase) == true;

    private static IEnumerable<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET"];

    /// A request path for a route pattern: every parameter becomes 1 ({documentName} becomes v1).
    private static string Concrete(string route) =>
        RouteParameter().Replace(route, m => m.Groups[1].Value == "documentName" ? "v1" : "1");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    public static string AntiforgeryToken(string html) =>
        AntiforgeryInput().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}

/// An HTTP client that keeps cookies and does not follow redirects, like a browser whose steps a test checks.
public sealed class BrowserClient : IDisposable
{
    public BrowserClient(Uri baseAddress) =>
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http { get; }

    /// Fetches the sign-in page (antiforgery cookie and token) and posts the form.
    public async Task<HttpResponseMessage> SignInAsync(string userName, string password, string returnUrl)
    {
        string page = await Http.GetStringAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        return await PostFormAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl), new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = PortalAuthTests.AntiforgeryToken(page),
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        });
    }

    public Task<HttpResponseMessage> PostFormAsync(string url, IDictionary<string, string> fields) =>
        Http.PostAsync(url, new FormUrlEncodedContent(fields));

    public void Dispose() => Http.Dispose();
}
