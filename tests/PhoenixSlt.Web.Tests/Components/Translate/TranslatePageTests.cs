using System.Globalization;
using System.IO.Compression;
using System.Text;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Components.Pages.Translate;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.Translation;
using PhoenixSlt.Web.Services.Uploads;
using PhoenixSlt.Web.Tests.Runs;
using PhoenixSlt.Web.Tests.Translation;
using MudBlazor;

namespace PhoenixSlt.Web.Tests.Components.Translate;

/// The Translate page with the real translation service, checkpoint registry (Sqlite) and dataset catalog, on the
/// shared trained slt checkpoint and its synthetic dataset. Expected translations come from the same service fed
/// the same clip read from disk by <see cref="ClipReader.Read"/>, expected sentence BLEU from Core's metric.
[Collection(SltCheckpointCollection.Name)]
public sealed class TranslatePageTests : PortalTestContext, IDisposable
{
    private const string DatasetName = "synth";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly string[] CsvHeader = ["name", "hypothesis", "reference", "sentence_bleu", "frames", "decode_ms", "batch_clips"];

    private readonly SltCheckpointFixture _fixture;
    private readonly SqliteTestDatabase _database = new();
    private TranslationService? _service;
    private IRenderedComponent<MudPopoverProvider>? _popovers;

    public TranslatePageTests(SltCheckpointFixture fixture)
    {
        _fixture = fixture;
        AddDataServices(Path.GetDirectoryName(fixture.DataDir)!, DatasetName);
        Services.AddSingleton(new RunStore(_database.Factory()));
        Services.AddSingleton<TranslationCheckpoints>();
        Services.AddSingleton(new UploadBudget(new UploadOptions().MaxInFlightBytes));
        Services.AddSingleton<UploadStaging>();
    }

    private UploadBudget Budget => Services.GetRequiredService<UploadBudget>();

    /// The temporary upload files present now (none when the staging folder does not exist yet).
    private string[] StagedFiles()
    {
        string folder = Services.GetRequiredService<UploadStaging>().Folder;
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    private TranslationService Service => _service ?? throw new InvalidOperationException("call RenderPage first");

    void IDisposable.Dispose()
    {
        _service?.Dispose();
        _database.Dispose();
    }

    /// Registers the checkpoint folders under the fixture's checkpoint root as the portal does at start.
    private void ScanCheckpoints()
    {
        using PhoenixDbContext db = _database.Create();
        int found = CheckpointCatalog.ScanAsync(db, _fixture.CheckpointRoot).GetAwaiter().GetResult();
        Assert.True(found > 0, "the scan found no checkpoint under the fixture's root");
    }

    /// The registry id of the fixture's trained checkpoint.
    private int CheckpointId()
    {
        using PhoenixDbContext db = _database.Create();
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_fixture.Checkpoint));
        return db.Checkpoints.Single(c => c.Path == path).Id;
    }

    private IRenderedComponent<TranslatePage> RenderTranslate(TranslationOptions? options = null)
    {
        _service = new TranslationService(Microsoft.Extensions.Options.Options.Create(options ?? new TranslationOptions { MaxWaitMs = 5 }),
            NullLogger<TranslationService>.Instance);
        Services.AddSingleton(_service);
        _popovers = Render<MudPopoverProvider>();
        var cut = Render<TranslatePage>();
        cut.WaitForAssertion(() => Assert.Equal(DatasetName, Shown(cut, "translate-dataset")), Wait);
        return cut;
    }

    /// Renders the page with the registry scanned and the fixture's checkpoint and <paramref name="beams"/> chosen.
    private IRenderedComponent<TranslatePage> RenderReady(int beams, TranslationOptions? options = null)
    {
        ScanCheckpoints();
        var cut = RenderTranslate(options);
        Choose(cut, "translate-checkpoint", FixtureLabel());
        cut.Find("input[data-testid=translate-beams]").Change(beams.ToString(CultureInfo.InvariantCulture));
        return cut;
    }

    /// The label the page shows for the fixture's checkpoint (as the checkpoint list names it).
    private string FixtureLabel()
    {
        var checkpoints = new TranslationCheckpoints(Services.GetRequiredService<RunStore>(), Services.GetRequiredService<PhoenixSlt.Web.Services.PhoenixPaths>());
        return checkpoints.ListAsync().GetAwaiter().GetResult().Single(c => c.Id == CheckpointId()).Label;
    }

    /// The text a MudSelect shows (it marks its combobox with the test id).
    private static string Shown(IRenderedComponent<TranslatePage> cut, string testId)
        => cut.Find($"[data-testid={testId}][role=combobox]").TextContent.Trim();

    /// Opens the MudSelect marked <paramref name="testId"/> and clicks the item showing <paramref name="text"/>.
    private void Choose(IRenderedComponent<TranslatePage> cut, string testId, string text)
    {
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.MouseDown();
        _popovers!.WaitForAssertion(() => Assert.Contains(OpenItems(), i => i.TextContent.Trim() == text), Wait);
        OpenItems().First(i => i.TextContent.Trim() == text).Click();
        cut.WaitForAssertion(() => Assert.Equal(text, Shown(cut, testId)), Wait);
    }

    private IReadOnlyList<IElement> OpenItems() => [.. _popovers!.FindAll(".mud-popover-open .mud-list-item")];

    /// The file input inside the MudFileUpload marked <paramref name="testId"/>.
    private static IRenderedComponent<InputFile> FileInput(IRenderedComponent<TranslatePage> cut, string testId)
        => cut.FindComponents<MudFileUpload<IBrowserFile>>()
            .Single(c => c.Instance.UserAttributes.TryGetValue("data-testid", out object? value) && (string?)value == testId)
            .FindComponent<InputFile>();

    /// What the service answers for this clip submitted on its own.
    private async Task<TranslationResult> TranslateDirectly(SltCheckpointFixture.ClipFiles sample, int beams)
    {
        var clip = ClipReader.Read(sample.Keypoints, sample.Siglip, sample.Name);
        var submission = Service.Submit(new TranslationRequest(_fixture.Checkpoint, beams, clip));
        Assert.False(submission.IsBusy);
        return await submission.Result!;
    }

    private static IReadOnlyList<string[]> Rows(IRenderedComponent<TranslatePage> cut)
        => [.. cut.FindAll("#translate-results tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent).ToArray())];

    /// Waits until <paramref name="count"/> rows show a finished translation (no placeholder left).
    private static IReadOnlyList<string[]> WaitForRows(IRenderedComponent<TranslatePage> cut, int count)
    {
        cut.WaitForAssertion(() =>
        {
            var rows = Rows(cut);
            Assert.Equal(count, rows.Count);
            Assert.All(rows, r => Assert.NotEqual("…", r[1]));
        }, Wait);
        return Rows(cut);
    }

    private static IReadOnlyList<string> Problems(IRenderedComponent<TranslatePage> cut)
        => [.. cut.FindAll(".translate-problem").Select(p => p.TextContent.Trim())];

    private static string SentenceBleu(string hypothesis, string reference)
        => BleuMetric.SentenceScore(hypothesis, [reference]).Score.ToString("F2", CultureInfo.InvariantCulture);

    [Fact]
    public void Render_RegistryWithSltAndVlpCheckpoints_ListsTheSltCheckpointsOnly()
    {
        ScanCheckpoints();
        using (PhoenixDbContext db = _database.Create())
        {
            db.Checkpoints.Add(new CheckpointEntity { Path = Path.Combine(_fixture.CheckpointRoot, "vlp-elsewhere"), Phase = "vlp", Step = 3, CreatedAt = DateTime.UtcNow });
            db.SaveChanges();
        }
        int vlpId;
        HashSet<string> sltIds;
        using (PhoenixDbContext db = _database.Create())
        {
            vlpId = db.Checkpoints.Single(c => c.Phase == "vlp").Id;
            sltIds = [.. db.Checkpoints.Where(c => c.Phase == "slt").Select(c => c.Id).AsEnumerable().Select(id => id.ToString(CultureInfo.InvariantCulture))];
        }

        var cut = RenderTranslate();

        cut.Find("[data-testid=translate-checkpoint]").Closest(".mud-input-control")!.MouseDown();
        _popovers!.WaitForAssertion(() => Assert.Equal(sltIds.Count, OpenItems().Count), Wait);
        var labels = OpenItems().Select(i => i.TextContent.Trim()).ToList();
        // A checkpoint outside a run is named by its folder under the checkpoint root; the vlp one is not offered.
        Assert.Contains(labels, l => l.StartsWith(Path.GetRelativePath(_fixture.CheckpointRoot, Path.GetDirectoryName(_fixture.Checkpoint)!), StringComparison.Ordinal)
                                     && l.Contains(Path.GetFileName(_fixture.Checkpoint) + " checkpoint", StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.Contains("vlp-elsewhere", StringComparison.Ordinal));
        Assert.DoesNotContain(vlpId.ToString(CultureInfo.InvariantCulture), sltIds);
        Assert.Empty(cut.FindAll(".mud-alert-text-info"));
    }

    [Fact]
    public void Render_EmptyRegistry_SaysToTrainFirstAndDisablesBothButtons()
    {
        var cut = RenderTranslate();

        Assert.Equal("", Shown(cut, "translate-checkpoint"));
        Assert.Contains("No slt checkpoint", cut.Markup, StringComparison.Ordinal);
        Assert.True(cut.Find("#translate-upload").HasAttribute("disabled"));
        Assert.True(cut.Find("#translate-samples").HasAttribute("disabled"));
    }

    [Fact]
    public async Task TranslateUpload_ValidPair_RowEqualsTheServiceTranslationOfTheSameClip()
    {
        const int beams = 2;
        var sample = _fixture.Samples[0];
        var cut = RenderReady(beams);

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(sample.Keypoints), "mine.kpts.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(sample.Siglip), "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        var row = Assert.Single(WaitForRows(cut, 1));
        var expected = await TranslateDirectly(sample, beams);
        Assert.False(string.IsNullOrEmpty(expected.Hypothesis));
        Assert.Equal("mine", row[0]);
        Assert.Equal(expected.Hypothesis, row[1]);
        // An upload has no reference, so no sentence BLEU.
        Assert.Equal(("", ""), (row[2], row[3]));
        Assert.Equal(expected.Frames.ToString(CultureInfo.InvariantCulture), row[4]);
        Assert.Empty(Problems(cut));
    }

    [Fact]
    public async Task TranslateUpload_KeypointsWithoutNpyMagic_ShowsTheValidatorMessageNamingTheFileAndNoRow()
    {
        var sample = _fixture.Samples[0];
        byte[] broken = Encoding.ASCII.GetBytes("not numpy at all, just text");
        byte[] siglip = await File.ReadAllBytesAsync(sample.Siglip);
        var cut = RenderReady(1);

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(broken, "broken.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(siglip, "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        var expected = UploadValidator.ValidatePair(new UploadedFile("broken.npy", broken), new UploadedFile("mine.siglip.npy", siglip), Service.Options).Problems;
        Assert.NotEmpty(expected);
        cut.WaitForAssertion(() => Assert.Equal(expected, Problems(cut)), Wait);
        Assert.All(Problems(cut), p => Assert.StartsWith("broken.npy", p, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#translate-results"));
        Assert.Equal(0, Service.Statistics.Decoded);
    }

    [Fact]
    public async Task TranslateUpload_OnlyKeypoints_AsksForBothFilesAndNothingIsDecoded()
    {
        var cut = RenderReady(1);

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(_fixture.Samples[0].Keypoints), "mine.kpts.npy"));
        cut.Find("#translate-upload").Click();

        cut.WaitForAssertion(() => Assert.Contains("SigLIP", Assert.Single(Problems(cut)), StringComparison.Ordinal), Wait);
        Assert.Empty(cut.FindAll("#translate-results"));
        Assert.Equal(0, Service.Statistics.Decoded);
    }

    [Fact]
    public async Task TranslateUpload_ZipOfTwoPairs_RowsInNameOrderEachEqualToItsServiceTranslation()
    {
        var samples = _fixture.Samples.Take(2).ToList();
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var s in samples)
            {
                zip.CreateEntryFromFile(s.Keypoints, $"{s.Name}{UploadValidator.KeypointsSuffix}");
                zip.CreateEntryFromFile(s.Siglip, $"{s.Name}{UploadValidator.SiglipSuffix}");
            }
        var cut = RenderReady(1);

        FileInput(cut, "translate-zip").UploadFiles(InputFileContent.CreateFromBinary(buffer.ToArray(), "pairs.zip"));
        cut.Find("#translate-upload").Click();

        var rows = WaitForRows(cut, 2);
        var ordered = samples.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(ordered.Select(s => s.Name), rows.Select(r => r[0]));
        for (int i = 0; i < ordered.Count; i++)
        {
            var expected = await TranslateDirectly(ordered[i], 1);
            Assert.Equal(expected.Hypothesis, rows[i][1]);
            Assert.Equal(expected.Frames.ToString(CultureInfo.InvariantCulture), rows[i][4]);
        }
    }

    [Fact]
    public async Task TranslateUpload_ZipChosenThenAPair_TranslatesThePairChosenLast()
    {
        var zipped = _fixture.Samples[1];
        var pair = _fixture.Samples[0];
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntryFromFile(zipped.Keypoints, $"zipped{UploadValidator.KeypointsSuffix}");
            zip.CreateEntryFromFile(zipped.Siglip, $"zipped{UploadValidator.SiglipSuffix}");
        }
        var cut = RenderReady(1);

        FileInput(cut, "translate-zip").UploadFiles(InputFileContent.CreateFromBinary(buffer.ToArray(), "pairs.zip"));
        var zipInput = FileInput(cut, "translate-zip").Instance;
        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(pair.Keypoints), "mine.kpts.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(pair.Siglip), "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        var row = Assert.Single(WaitForRows(cut, 1));
        // The zip input was re-created, so the browser no longer shows the replaced zip as chosen.
        Assert.NotSame(zipInput, FileInput(cut, "translate-zip").Instance);
        Assert.Equal("mine", row[0]);
        Assert.Equal((await TranslateDirectly(pair, 1)).Frames.ToString(CultureInfo.InvariantCulture), row[4]);
    }

    [Fact]
    public async Task TranslateUpload_PairChosenThenAZip_TranslatesTheZipChosenLast()
    {
        var zipped = _fixture.Samples[1];
        var pair = _fixture.Samples[0];
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntryFromFile(zipped.Keypoints, $"zipped{UploadValidator.KeypointsSuffix}");
            zip.CreateEntryFromFile(zipped.Siglip, $"zipped{UploadValidator.SiglipSuffix}");
        }
        var cut = RenderReady(1);

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(pair.Keypoints), "mine.kpts.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(pair.Siglip), "mine.siglip.npy"));
        var keypointsInput = FileInput(cut, "translate-kpts").Instance;
        FileInput(cut, "translate-zip").UploadFiles(InputFileContent.CreateFromBinary(buffer.ToArray(), "pairs.zip"));
        cut.Find("#translate-upload").Click();

        var row = Assert.Single(WaitForRows(cut, 1));
        Assert.NotSame(keypointsInput, FileInput(cut, "translate-kpts").Instance);
        Assert.Equal("zipped", row[0]);
        Assert.Equal((await TranslateDirectly(zipped, 1)).Frames.ToString(CultureInfo.InvariantCulture), row[4]);
    }

    [Fact]
    public async Task TranslateSamples_FirstThreeDevSamples_RowsShowDatasetReferencesAndCoreSentenceBleu()
    {
        const int beams = 1;
        var dev = PhoenixCorpus.Load(new DatasetLayout(_fixture.DataDir).AnnotationsDir, "dev").Take(3).ToList();
        Assert.Equal(3, dev.Count);
        var cut = RenderReady(beams);

        Assert.Equal(DatasetName, Shown(cut, "translate-dataset"));
        Assert.Equal("dev", Shown(cut, "translate-split"));
        cut.Find("input[data-testid=translate-count]").Change("3");
        cut.Find("#translate-samples").Click();

        var rows = WaitForRows(cut, 3);
        for (int i = 0; i < dev.Count; i++)
        {
            var files = _fixture.Samples.Single(s => s.Name == dev[i].Name);
            var expected = await TranslateDirectly(files, beams);
            string hypothesis = expected.Hypothesis;
            Assert.Equal(dev[i].Name, rows[i][0]);
            Assert.Equal(hypothesis, rows[i][1]);
            // Frames tell the clips apart even when a briefly trained model gives them the same words.
            Assert.Equal(expected.Frames.ToString(CultureInfo.InvariantCulture), rows[i][4]);
            Assert.Equal(dev[i].Translation, rows[i][2]);
            Assert.Equal(SentenceBleu(hypothesis, dev[i].Translation), rows[i][3]);
        }
        Assert.Empty(Problems(cut));
    }

    [Fact]
    public void TranslateSamples_Finished_CsvLinkHoldsAHeaderAndOneRecordPerRowWithTheRowsValues()
    {
        var cut = RenderReady(1);
        Choose(cut, "translate-split", "test");
        cut.Find("input[data-testid=translate-count]").Change("2");
        cut.Find("#translate-samples").Click();
        var rows = WaitForRows(cut, 2);

        // The link appears once the action has ended.
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#translate-csv")), Wait);
        string href = cut.Find("#translate-csv").GetAttribute("href")!;
        const string prefix = "data:text/csv;charset=utf-8;base64,";
        Assert.StartsWith(prefix, href, StringComparison.Ordinal);
        string csv = Encoding.UTF8.GetString(Convert.FromBase64String(href[prefix.Length..]));

        Assert.Equal(rows.Count + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var records = ParseCsv(csv);
        Assert.Equal(CsvHeader, records[0]);
        Assert.Equal(rows.Count, records.Count - 1);
        for (int i = 0; i < rows.Count; i++)
        {
            var record = records[i + 1];
            Assert.Equal((rows[i][0], rows[i][1], rows[i][2], rows[i][3], rows[i][4]), (record[0], record[1], record[2], record[3], record[4]));
            Assert.Equal(SentenceBleu(record[1], record[2]), record[3]);
            Assert.True(double.Parse(record[5], CultureInfo.InvariantCulture) > 0);
            Assert.True(int.Parse(record[6], CultureInfo.InvariantCulture) is >= 1 and <= 2);
        }
    }

    [Fact]
    public void BeamsField_TypedAboveTheLimit_HoldsTheLimit()
    {
        var limit = new PhoenixSlt.Web.Options.BeamOptions { Max = 3 };
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(limit));

        var cut = RenderReady(limit.Max + 1);

        Assert.Equal(limit.Max.ToString(CultureInfo.InvariantCulture), cut.Find("input[data-testid=translate-beams]").GetAttribute("value"));
        Assert.Contains($"at most {limit.Max}", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void TranslateSamples_WhileTheRequestWaits_ShowsBusyWithTheControlsDisabledThenTheRows()
    {
        // The service holds a batch open for more clips for up to MaxWaitMs: the request stays in flight that long.
        var options = new TranslationOptions { MaxWaitMs = 3000, MaxBatchSize = 64 };
        var cut = RenderReady(1, options);
        cut.Find("input[data-testid=translate-count]").Change("2");

        cut.Find("#translate-samples").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=translate-busy]")), Wait);
        Assert.True(cut.Find("#translate-samples").HasAttribute("disabled"));
        Assert.True(cut.Find("#translate-upload").HasAttribute("disabled"));
        Assert.True(cut.Find("input[data-testid=translate-beams]").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("#translate-csv"));
        WaitForRows(cut, 2);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=translate-busy]")), Wait);
        Assert.False(cut.Find("#translate-samples").HasAttribute("disabled"));
        Assert.Single(cut.FindAll("[data-testid=translate-summary]"));
    }

    [Fact]
    public async Task TranslateUpload_BrokenAfterSamples_TheErrorReplacesThePreviousRows()
    {
        var cut = RenderReady(1);
        cut.Find("input[data-testid=translate-count]").Change("2");
        cut.Find("#translate-samples").Click();
        WaitForRows(cut, 2);

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(Encoding.ASCII.GetBytes("not numpy"), "broken.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(_fixture.Samples[0].Siglip), "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(Problems(cut)), Wait);
        Assert.Empty(cut.FindAll("#translate-results"));
    }

    [Fact]
    public void TranslateSamples_MoreSamplesThanTheQueueHolds_SaysBusyWithTheRetryTimeAndShowsNoRows()
    {
        // One clip waiting plus one being decoded at most: four clips cannot all be accepted.
        var options = new TranslationOptions { MaxWaitMs = 0, MaxBatchSize = 1, QueueCapacity = 1, RetryAfterSeconds = 7 };
        var cut = RenderReady(1, options);
        cut.Find("input[data-testid=translate-count]").Change("4");

        cut.Find("#translate-samples").Click();

        cut.WaitForAssertion(() => Assert.Contains($"busy; retry in {options.RetryAfterSeconds} s", Assert.Single(Problems(cut)), StringComparison.Ordinal), Wait);
        Assert.Empty(cut.FindAll("#translate-results"));
        Assert.True(Service.Statistics.Rejected >= 1);
    }

    [Fact]
    public async Task TranslateUpload_BudgetHeldByAnotherUpload_SaysTryAgainAndTranslatesNothingThenWorksOnceFreed()
    {
        var sample = _fixture.Samples[0];
        byte[] keypoints = await File.ReadAllBytesAsync(sample.Keypoints);
        byte[] siglip = await File.ReadAllBytesAsync(sample.Siglip);
        var cut = RenderReady(1);
        // Another upload holds all but one byte less than this pair needs.
        long free = keypoints.Length + siglip.Length - 1;
        var other = Budget.TryAcquire(Budget.CapacityBytes - free);
        Assert.NotNull(other);
        int stagedBefore = StagedFiles().Length;

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(keypoints, "mine.kpts.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(siglip, "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        cut.WaitForAssertion(() => Assert.Single(Problems(cut)), Wait);
        string problem = Problems(cut)[0];
        Assert.Contains("handling other uploads", problem, StringComparison.Ordinal);
        Assert.Contains($"try again in {Service.Options.RetryAfterSeconds} s", problem, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=translate-busy]")), Wait);
        Assert.Empty(cut.FindAll("#translate-results"));
        Assert.Equal(0, Service.Statistics.Decoded);
        Assert.Equal(stagedBefore, StagedFiles().Length);
        // The refused page holds nothing: only the other upload's bytes are in flight.
        Assert.Equal(Budget.CapacityBytes - free, Budget.InFlightBytes);

        other.Dispose();
        cut.Find("#translate-upload").Click();

        Assert.Equal("mine", Assert.Single(WaitForRows(cut, 1))[0]);
        Assert.Empty(Problems(cut));
    }

    [Fact]
    public async Task TranslateUpload_Translated_BudgetBackToZeroAndNoTemporaryFileLeft()
    {
        var samples = _fixture.Samples.Take(2).ToList();
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var s in samples)
            {
                zip.CreateEntryFromFile(s.Keypoints, $"{s.Name}{UploadValidator.KeypointsSuffix}");
                zip.CreateEntryFromFile(s.Siglip, $"{s.Name}{UploadValidator.SiglipSuffix}");
            }
        var cut = RenderReady(1);
        Assert.Equal(0, Budget.InFlightBytes);

        FileInput(cut, "translate-zip").UploadFiles(InputFileContent.CreateFromBinary(buffer.ToArray(), "pairs.zip"));
        cut.Find("#translate-upload").Click();

        Assert.Equal(2, WaitForRows(cut, 2).Count);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=translate-busy]")), Wait);
        Assert.Equal(0, Budget.InFlightBytes);
        // The files were staged in the staging folder (it exists now) and are gone.
        Assert.True(Directory.Exists(Services.GetRequiredService<UploadStaging>().Folder));
        Assert.Empty(StagedFiles());
    }

    [Fact]
    public async Task TranslateUpload_PairLargerThanTheUploadLimit_SaysSoWithoutReservingOrReading()
    {
        var sample = _fixture.Samples[0];
        byte[] keypoints = await File.ReadAllBytesAsync(sample.Keypoints);
        byte[] siglip = await File.ReadAllBytesAsync(sample.Siglip);
        long limit = keypoints.Length + siglip.Length - 1;
        var cut = RenderReady(1, new TranslationOptions { MaxWaitMs = 5, MaxUploadBytes = limit });

        FileInput(cut, "translate-kpts").UploadFiles(InputFileContent.CreateFromBinary(keypoints, "mine.kpts.npy"));
        FileInput(cut, "translate-siglip").UploadFiles(InputFileContent.CreateFromBinary(siglip, "mine.siglip.npy"));
        cut.Find("#translate-upload").Click();

        cut.WaitForAssertion(() => Assert.Contains($"more than the {limit} accepted", Assert.Single(Problems(cut)), StringComparison.Ordinal), Wait);
        Assert.Equal(0, Budget.InFlightBytes);
        Assert.Equal(0, Service.Statistics.Decoded);
    }

    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted && c == '"' && i + 1 < text.Length && text[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
                quoted = !quoted;
            else if (quoted || (c != ',' && c != '\n' && c != '\r'))
                field.Append(c);
            else if (c == ',' || c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                if (c == '\n')
                {
                    records.Add([.. fields]);
                    fields.Clear();
                }
            }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        return records;
    }
}
