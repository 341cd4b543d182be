using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Tests.Integration;
using System.Net.Http.Json;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.E2E.Tests;

/// A portal on real Kestrel that really trains (phoenix-slt train processes) on a tiny synthetic dataset made for
/// these tests, and a headless Debian chromium to drive it.
public sealed class TrainingPortalFixture : IAsyncLifetime
{
    public const string DatasetName = "synth-e2e";

    /// 24 training clips in batches of 4: 6 optimizer steps make one epoch.
    public const int TrainSamples = 24;

    /// A second dataset whose dev split is large, so that a validation lasts long enough to be watched.
    public const string LongDevDatasetName = "synth-e2e-long-dev";

    public const int LongDevClips = 48;

    private readonly string _root = TestPaths.NewTempDir("phoenix-e2e-training");
    private IPlaywright? _playwright;
    private PhoenixWebFactory? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        PortalFixture.RequireChromium();
        string dataRoot = Path.Combine(_root, "data");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(Path.Combine(dataRoot, DatasetName), TrainSamples, 8, 8, Seed: 11) { MaxParallelism = 2 });
        SyntheticPhoenixGenerator.Generate(new SynthOptions(Path.Combine(dataRoot, LongDevDatasetName), 8, LongDevClips, 1, Seed: 12) { MaxParallelism = 2 });
        _factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = dataRoot,
            ["Phoenix:CheckpointRoot"] = Path.Combine(_root, "checkpoints"),
            ["Phoenix:DefaultDataset"] = DatasetName,
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
            ["Phoenix:Training:PollInterval"] = "00:00:00.100",
            // system samples twice a second, so that a run of a few seconds fills the CPU and memory charts
            ["Phoenix:Training:SystemSampleInterval"] = "00:00:00.500",
            // One libtorch thread: the training process shares two cores with the portal and the browser.
            ["Phoenix:Training:Environment:OMP_NUM_THREADS"] = "1",
        });
        BaseAddress = _factory.StartKestrel();
        _playwright = await Playwright.CreateAsync();
        Browser = await PortalFixture.LaunchChromiumAsync(_playwright);
    }

    /// A new page, signed in as the admin through the sign-in form, whose Blazor circuit is connected (the
    /// layout reports data-interactive="true").
    public Task<IPage> OpenInteractiveAsync(string relativeUrl) =>
        BrowserSignIn.OpenSignedInAsync(Browser, BaseAddress, relativeUrl);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync(); // stops the portal, which stops its training processes
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_root);
    }
}

/// Launches training from the browser: the New-run form queues a tiny slt run, the page opens the run, and the
/// loss chart fills live as the training process reports its steps.
public partial class TrainingBrowserTests(TrainingPortalFixture portal) : IClassFixture<TrainingPortalFixture>
{
    private const int MaxSteps = 6;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task NewRunPage_TinySltRun_LandsOnRunDetailAndTheLossChartFillsLive()
    {
        IPage page = await portal.OpenInteractiveAsync("runs/new");
        var foreignRequests = new List<string>();
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https" && url.Authority != portal.BaseAddress.Authority)
                lock (foreignRequests)
                    foreignRequests.Add(request.Url);
        };
        await Assertions.Expect(page.Locator("[data-testid=data][role=combobox]")).ToHaveTextAsync(TrainingPortalFixture.DatasetName);
        await Assertions.Expect(page.Locator("[data-testid=phase][role=combobox]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^slt:"));

        await SetAsync(page, "name", "browser slt");
        await SetAsync(page, "epochs", "");
        await SetAsync(page, "max-steps", MaxSteps.ToString(CultureInfo.InvariantCulture));
        await SetAsync(page, "batch-size", "4");
        await SetAsync(page, "log-every", "1");
        await SetAsync(page, "beams", "1");
        await SetAsync(page, "loader-workers", "0");
        await page.Locator("[data-testid=submit]").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(RunUrl());
        await Assertions.Expect(page.Locator("[data-testid=run-name]")).ToHaveTextAsync("browser slt");

        // Poll the chart as the run goes: the number of drawn loss points must grow, one per step, to MaxSteps.
        ILocator lossPath = page.Locator("[data-testid=loss-chart] .legend-item[data-series='train loss']");
        ILocator status = page.Locator("[data-testid=run-status]");
        var seen = new SortedSet<int>();
        DateTime deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            int points = await lossPath.CountAsync() == 0 ? 0 : int.Parse(await lossPath.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);
            seen.Add(points);
            string? state = await status.GetAttributeAsync("data-status");
            if (state is "completed" && points == MaxSteps)
                break;
            if (state is "failed" or "cancelled" or "interrupted")
                Assert.Fail($"the run ended {state}: {string.Join(' ', await page.Locator("[data-testid=run-error]").AllTextContentsAsync())}\n"
                            + string.Join('\n', await page.Locator("[data-testid=log-line]").AllTextContentsAsync()));
            Assert.True(DateTime.UtcNow < deadline, $"the run did not complete within {RunTimeout}; loss points seen: {string.Join(", ", seen)}");
            await Task.Delay(100);
        }

        Assert.True(seen.Count >= 2, $"the chart never changed while the page was open (points seen: {string.Join(", ", seen)})");
        Assert.Equal(MaxSteps, seen.Max);
        await Assertions.Expect(page.Locator("[data-testid='loss-chart-latest-train loss']")).ToHaveTextAsync(LatestLoss());
        await Assertions.Expect(page.Locator("[data-testid=run-progress-text]")).ToContainTextAsync($"step {MaxSteps} / {MaxSteps}");
        await Assertions.Expect(page.Locator("[data-testid=checkpoint-row]")).ToHaveCountAsync(2);
        // the system samples of the run's process reached its memory and CPU charts (the CPU use from the second
        // sample of the process on)
        foreach (string series in new[] { "[data-testid=memory-chart] .legend-item[data-series='resident MiB']", "[data-testid=cpu-chart] .legend-item[data-series='CPU %']" })
        {
            int samples = int.Parse(await page.Locator(series).GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);
            Assert.True(samples >= 1, $"{series}: {samples} points");
        }

        // Plotly drew the curve (from the portal's own copy of plotly.js), shows the values at the hovered step and
        // turns its y axis to log with the switch.
        ILocator plot = page.Locator("[data-testid=loss-chart] .js-plotly-plot");
        await Assertions.Expect(plot).ToHaveCountAsync(1);
        await Assertions.Expect(plot.Locator(".scatterlayer .trace")).Not.ToHaveCountAsync(0);
        await plot.Locator(".nsewdrag").First.HoverAsync();
        await Assertions.Expect(plot.Locator(".hoverlayer")).ToContainTextAsync("train loss");
        await page.Locator("input[data-testid=loss-chart-log]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=loss-chart]")).ToHaveAttributeAsync("data-log-y", "true");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=loss-chart] .js-plotly-plot')?._fullLayout?.yaxis?.type === 'log'");
        lock (foreignRequests)
            Assert.Empty(foreignRequests);
        await page.CloseAsync();
    }

    /// A run whose one validation decodes 48 dev clips one at a time with beam search: Run detail shows "validating n/N
    /// clips" while the validation runs, the count moving (about 3 s of validation here, events at most once a second),
    /// and no validation once the run completed.
    [Fact]
    public async Task RunDetail_RunValidating_ShowsValidatingClipsUntilTheEvaluationEnds()
    {
        using HttpClient api = PhoenixWebFactory.ApiClient(portal.BaseAddress);
        using HttpResponseMessage created = await api.PostAsync("api/runs", new StringContent($$"""
            {"phase":"slt","data":"{{TrainingPortalFixture.LongDevDatasetName}}","name":"browser validation","epochs":null,"max_steps":1,
             "batch_size":4,"eval_batch_size":1,"beams":4,"log_every":1,"loader_workers":0}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        using var run = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        int id = run.RootElement.GetProperty("id").GetInt32();

        IPage page = await portal.OpenInteractiveAsync($"runs/{id}");
        ILocator status = page.Locator("[data-testid=run-status]");
        var seen = new SortedSet<int>();
        string? shownText = null;
        DateTime deadline = DateTime.UtcNow + ValidationTimeout;
        while (true)
        {
            // read the validation state in one go: the element comes and goes as events arrive
            string? state = await page.EvaluateAsync<string?>("""
                () => { const e = document.querySelector('[data-testid=validation-progress]');
                        return e ? e.getAttribute('data-done') + '/' + e.getAttribute('data-total') + '|' + e.textContent.trim() : null; }
                """);
            if (state is not null)
            {
                string[] parts = state.Split('|');
                string[] counts = parts[0].Split('/');
                Assert.Equal(TrainingPortalFixture.LongDevClips, int.Parse(counts[1], CultureInfo.InvariantCulture));
                seen.Add(int.Parse(counts[0], CultureInfo.InvariantCulture));
                shownText = parts[1];
            }
            string? runState = await status.GetAttributeAsync("data-status");
            if (runState is "completed")
                break;
            if (runState is "failed" or "cancelled" or "interrupted")
                Assert.Fail($"the run ended {runState}: {string.Join(' ', await page.Locator("[data-testid=run-error]").AllTextContentsAsync())}");
            Assert.True(DateTime.UtcNow < deadline, $"the run did not complete within {ValidationTimeout}; clips seen: {string.Join(", ", seen)}");
            await Task.Delay(50);
        }

        Assert.True(seen.Count >= 2, $"the clips done never moved while the page watched (seen: {string.Join(", ", seen)})");
        Assert.All(seen, done => Assert.InRange(done, 0, TrainingPortalFixture.LongDevClips));
        Assert.Matches(ValidatingText(), shownText);
        await Assertions.Expect(page.Locator("[data-testid=validation-progress]")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    private static readonly TimeSpan ValidationTimeout = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"^validating \d+/48 clips$")]
    private static partial Regex ValidatingText();

    [Fact]
    public async Task HomePage_RunningRun_IsListedWithItsLiveProgress()
    {
        // Enough steps to stay running while the page is looked at; cancelled at the end.
        const int steps = 5000;
        using var api = PhoenixWebFactory.ApiClient(portal.BaseAddress);
        var spec = new RunSpec { Name = "dashboard run", Phase = TrainingPhaseNames.Slt, Data = TrainingPortalFixture.DatasetName, MaxSteps = steps, BatchSize = 4, Beams = 1, GlossCtcWeight = 0 };
        using var created = await api.PostAsync("/api/runs", new StringContent(RunSpecJson.Write(spec), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        int id = (await created.Content.ReadFromJsonAsync<RunInfo>(Json))!.Id;
        try
        {
            IPage page = await portal.OpenInteractiveAsync("");
            ILocator row = page.Locator($"[data-testid=home-active-run][data-run-id='{id}']");
            await Assertions.Expect(row).ToContainTextAsync("dashboard run");
            await Assertions.Expect(row.Locator("[data-testid=run-status]")).ToHaveTextAsync("running", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            // The step count moves without a reload (live through the run notifier).
            ILocator progress = row.Locator("[data-testid=home-run-progress]");
            await Assertions.Expect(progress).ToHaveTextAsync(new Regex($@"^step [1-9][0-9]* / {steps} \("), new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            string first = (await progress.TextContentAsync())!;
            await Assertions.Expect(progress).Not.ToHaveTextAsync(first, new() { Timeout = (float)RunTimeout.TotalMilliseconds });
            await page.CloseAsync();
        }
        finally
        {
            using var cancelled = await api.PostAsync($"/api/runs/{id}/cancel", null);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// Types <paramref name="value"/> into the field and commits it (the change event a browser sends when the field
    /// is left), without moving the focus into the next field.
    private static async Task SetAsync(IPage page, string field, string value)
    {
        ILocator input = page.Locator($"input[data-testid={field}]");
        await input.FillAsync(value);
        await input.DispatchEventAsync("change");
        await Assertions.Expect(input).ToHaveValueAsync(value);
    }

    [GeneratedRegex(@"/runs/\d+$")]
    private static partial Regex RunUrl();

    /// "2.7134 @ 6": a finite loss at the last step.
    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)? @ 6$")]
    private static partial Regex LatestLoss();
}
