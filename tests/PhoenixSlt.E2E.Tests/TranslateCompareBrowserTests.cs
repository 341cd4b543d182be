using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.E2E.Tests;

/// A portal with a small synthetic dataset and two slt checkpoints trained on it (different step counts), and a
/// headless Debian chromium.
public sealed class CheckpointPortalFixture : IAsyncLifetime
{
    public const string DatasetName = "synth-e2e";
    public const int DevSamples = 4;

    private readonly string _root = TestPaths.NewTempDir("phoenix-e2e-compare");
    private IPlaywright? _playwright;
    private PhoenixWebFactory? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string DataDir => Path.Combine(_root, "data", DatasetName);

    public async Task InitializeAsync()
    {
        PortalFixture.RequireChromium();
        SyntheticPhoenixGenerator.Generate(new SynthOptions(DataDir, Train: 10, Dev: DevSamples, Test: 3, Seed: 9) { MaxParallelism = 2 });
        string checkpoints = Path.Combine(_root, "checkpoints");
        Train(Path.Combine(checkpoints, "run-a"), steps: 6);
        Train(Path.Combine(checkpoints, "run-b"), steps: 2);
        _factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:DataRoot"] = Path.Combine(_root, "data"),
            ["Phoenix:CheckpointRoot"] = checkpoints,
            ["Phoenix:DefaultDataset"] = DatasetName,
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
            ["Phoenix:Training:PollInterval"] = "00:00:00.100",
            ["Phoenix:Training:Environment:OMP_NUM_THREADS"] = "1",
            // A request waits this long for others to share its batch: long enough to see the busy state.
            ["Phoenix:Translation:MaxWaitMs"] = "1500",
        });
        BaseAddress = _factory.StartKestrel();
        _playwright = await Playwright.CreateAsync();
        Browser = await PortalFixture.LaunchChromiumAsync(_playwright);
    }

    private void Train(string outDir, int steps)
    {
        var options = new RunSpec
        {
            Phase = TrainingPhaseNames.Slt,
            Data = DataDir,
            Out = outDir,
            MaxSteps = steps,
            BatchSize = 5,
            LrEncoder = 3e-3,
            Beams = 1,
            GlossCtcWeight = 0,                     // gloss-free: the page's hypothesis cell then holds the translation alone
        };
        using var session = TrainingSession.Create(options);
        session.Run();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_root);
    }
}

/// The portal's second job end to end: sign in, translate an uploaded feature pair, evaluate two checkpoints,
/// and compare them.
public sealed class TranslateCompareBrowserTests(CheckpointPortalFixture portal) : IClassFixture<CheckpointPortalFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly float EvaluationTimeoutMs = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;

    [Fact]
    public async Task SignIn_TranslateUpload_EvaluateTwoCheckpoints_CompareShowsBothBleuAndSentences()
    {
        using var api = PhoenixWebFactory.ApiClient(portal.BaseAddress);
        var checkpoints = (await api.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints", Json))!
            .Where(c => c.Phase == PhoenixSlt.Training.TrainingPhaseNames.Slt && Path.GetFileName(c.Path) == "best").OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(2, checkpoints.Count);
        var (name, keypoints, siglip, reference) = FirstDevClip();

        // 1. Sign in (the translate page sends us to the sign-in form first) and translate the uploaded pair.
        IPage page = await BrowserSignIn.OpenSignedInAsync(portal.Browser, portal.BaseAddress, "translate");
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "translate").ToString());
        await ChooseCheckpointAsync(page, checkpoints[0]);
        await SetBeamsAsync(page, 1);
        await page.Locator("input[data-testid=translate-kpts]").SetInputFilesAsync(keypoints);
        await page.Locator("input[data-testid=translate-siglip]").SetInputFilesAsync(siglip);
        await Assertions.Expect(page.Locator("[data-testid=translate-siglip-name]")).ToHaveTextAsync(Path.GetFileName(siglip));
        await page.Locator("#translate-upload").ClickAsync();
        ILocator hypothesis = page.Locator("#translate-results tbody tr").First.Locator("td.hypothesis");
        await Assertions.Expect(page.Locator("[data-testid=translate-summary]")).ToBeVisibleAsync();
        string shown = (await hypothesis.TextContentAsync())!.Trim();
        // The same pair through the REST API (another path into the service) must give the same words.
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(keypoints)), TranslateApi.KeypointsField, name + ".kpts.npy" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(siglip)), TranslateApi.SiglipField, name + ".siglip.npy" },
            { new StringContent(checkpoints[0].Id.ToString(CultureInfo.InvariantCulture)), "checkpoint" },
            { new StringContent("1"), "beams" },
        };
        using var response = await api.PostAsync("/api/translate", form);
        response.EnsureSuccessStatusCode();
        var viaApi = (await response.Content.ReadFromJsonAsync<TranslateResponse>(Json))!;
        Assert.Equal(PhoenixSlt.Web.Components.Shared.ModelOutput.Display(viaApi.Translations.Single().Hypothesis), shown);
        Assert.False(string.IsNullOrWhiteSpace(reference));

        // 2. Evaluate both checkpoints on dev from the Checkpoints page.
        await page.GotoAsync(new Uri(portal.BaseAddress, "checkpoints").ToString());
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await page.Locator("input[data-testid=beams-field]").FillAsync("1");
        foreach (var checkpoint in checkpoints)
            await page.Locator($"[data-testid=evaluate-{checkpoint.Id}]").ClickAsync();
        var evaluations = await WaitForEvaluationsAsync(api, checkpoints.Count);
        foreach (var evaluation in evaluations)
        {
            await Assertions.Expect(page.Locator($"[data-testid=status-{evaluation.Id}]"))
                .ToHaveTextAsync("completed", new() { Timeout = EvaluationTimeoutMs });
            Assert.Equal((CheckpointPortalFixture.DevSamples, "dev", 1), (evaluation.Clips, evaluation.Split, evaluation.Beams));
        }

        // 3. Select both and compare: both BLEU values and one table row per dev sentence.
        foreach (var evaluation in evaluations)
            await page.Locator($"input[data-testid=select-{evaluation.Id}]").CheckAsync();
        await page.Locator("[data-testid=compare-link]").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("checkpoints/compare\\?evaluations="));
        foreach (var evaluation in evaluations)
        {
            await Assertions.Expect(page.Locator($"[data-testid=bleu-{evaluation.Id}]"))
                .ToContainTextAsync(evaluation.SacreBleu!.Value.ToString("0.00", CultureInfo.InvariantCulture));
        }
        ILocator rows = page.Locator("[data-testid=sentences-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(CheckpointPortalFixture.DevSamples);
        var references = PhoenixCorpus.Load(new DatasetLayout(portal.DataDir).AnnotationsDir, "dev").Select(s => s.Translation).Order(StringComparer.Ordinal);
        var shownReferences = (await page.Locator("[data-testid=sentences-table] tbody td.reference").AllTextContentsAsync()).Select(t => t.Trim()).Order(StringComparer.Ordinal);
        Assert.Equal(references, shownReferences);

        // 4. Approximate randomization beside the paired bootstrap: "–" for the baseline, a p-value for the other.
        var arCells = new List<string>();
        foreach (var evaluation in evaluations)
            arCells.Add((await page.Locator($"[data-testid=p-ar-{evaluation.Id}]").TextContentAsync())!.Trim());
        Assert.Single(arCells, c => c == "–");
        Assert.Single(arCells, c => c.StartsWith("0.", StringComparison.Ordinal) || c.StartsWith("1.", StringComparison.Ordinal));

        // 5. An evaluation's own page from its name in the metrics table: every dev sentence, and its CSV.
        var first = evaluations[0];
        await page.Locator($"[data-testid=metrics-row-{first.Id}] a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"evaluations/{first.Id}$"));
        await Assertions.Expect(page.Locator("[data-testid=sentences-table] tbody tr")).ToHaveCountAsync(CheckpointPortalFixture.DevSamples);
        string csv = await api.GetStringAsync($"/api/evaluations/{first.Id}/sentences?format=csv");
        Assert.StartsWith("index,name,reference,hypothesis,sentence_bleu,sentence_chrf\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranslatePage_TranslateSamples_ShowsTheBusyStateThenTheRows()
    {
        using var api = PhoenixWebFactory.ApiClient(portal.BaseAddress);
        var checkpoint = (await api.GetFromJsonAsync<List<CheckpointInfo>>("/api/checkpoints", Json))!
            .Where(c => c.Phase == PhoenixSlt.Training.TrainingPhaseNames.Slt && Path.GetFileName(c.Path) == "best").OrderBy(c => c.Path, StringComparer.Ordinal).First();
        IPage page = await BrowserSignIn.OpenSignedInAsync(portal.Browser, portal.BaseAddress, "translate");
        await ChooseCheckpointAsync(page, checkpoint);
        await SetBeamsAsync(page, 1);

        await page.Locator("#translate-samples").ClickAsync();

        // While the request is in flight (it waits MaxWaitMs for batch mates): a progress bar, the buttons disabled.
        ILocator busy = page.Locator("[data-testid=translate-busy]");
        await Assertions.Expect(busy).ToBeVisibleAsync();
        await Assertions.Expect(busy.Locator(".mud-progress-linear")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#translate-samples")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#translate-upload")).ToBeDisabledAsync();
        // Then the rows of the first dev samples (the form's default count, at most the split's size) and no busy state.
        await Assertions.Expect(busy).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#translate-results tbody tr")).ToHaveCountAsync(CheckpointPortalFixture.DevSamples);
        await Assertions.Expect(page.Locator("#translate-samples")).ToBeEnabledAsync();
        await page.CloseAsync();
    }

    /// Opens the checkpoint picker and clicks the item of <paramref name="checkpoint"/> (named by its folder).
    private static async Task ChooseCheckpointAsync(IPage page, CheckpointInfo checkpoint)
    {
        string folder = Path.GetFileName(Path.GetDirectoryName(checkpoint.Path)!);
        await page.Locator("[data-testid=translate-checkpoint]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = $"{folder} · best checkpoint" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=translate-checkpoint][role=combobox]")).ToContainTextAsync($"{folder} · best checkpoint");
    }

    private static async Task SetBeamsAsync(IPage page, int beams)
    {
        ILocator input = page.Locator("input[data-testid=translate-beams]");
        await input.FillAsync(beams.ToString(CultureInfo.InvariantCulture));
        await input.DispatchEventAsync("change");
        await Assertions.Expect(input).ToHaveValueAsync(beams.ToString(CultureInfo.InvariantCulture));
    }

    private (string Name, string Keypoints, string Siglip, string Reference) FirstDevClip()
    {
        var layout = new DatasetLayout(portal.DataDir);
        var store = new FeatureStore(layout);
        var sample = PhoenixCorpus.Load(layout.AnnotationsDir, "dev")[0];
        return (sample.Name, store.FindFile(FeatureKind.Keypoints, "dev", sample.Name)!, store.FindFile(FeatureKind.Siglip, "dev", sample.Name)!, sample.Translation);
    }

    /// Polls the API until <paramref name="count"/> evaluations finished (failing on a failed one).
    private static async Task<List<EvaluationInfo>> WaitForEvaluationsAsync(HttpClient api, int count)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(EvaluationTimeoutMs);
        while (true)
        {
            var all = (await api.GetFromJsonAsync<List<EvaluationInfo>>("/api/evaluations", Json))!;
            var failed = all.FirstOrDefault(e => e.Status == JobStatus.Failed);
            Assert.True(failed is null, $"evaluation {failed?.Id} failed: {failed?.Error}");
            if (all.Count >= count && all.All(e => e.Status == JobStatus.Completed))
                return [.. all.OrderBy(e => e.Id)];
            Assert.True(DateTime.UtcNow < deadline, $"evaluations not finished: {string.Join(", ", all.Select(e => $"#{e.Id} {e.Status}"))}");
            await Task.Delay(250);
        }
    }
}
