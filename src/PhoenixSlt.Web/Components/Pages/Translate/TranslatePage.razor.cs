using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Translation;
using PhoenixSlt.Web.Services.Uploads;

namespace PhoenixSlt.Web.Components.Pages.Translate;

/// Translate uploads or dataset samples with a chosen slt checkpoint; rows fill in as the service finishes them.
public sealed partial class TranslatePage : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private static readonly string[] Splits = ["dev", "test", "train"];

    private IReadOnlyList<TranslationCheckpoint> _checkpoints = [];
    private IReadOnlyList<DatasetEntry> _datasets = [];
    private List<TranslateRow> _rows = [];
    private List<string> _problems = [];
    private string? _checkpoint;
    private string? _dataset;
    private string _split = "dev";
    private int _beams = new Training.Specs.RunSpec().Beams;
    private int _sampleCount = 5;
    private bool _busy;
    private bool _reading;
    private double? _elapsedMs;
    private IBrowserFile? _keypointsFile, _siglipFile, _zipFile;
    // Keys of the file inputs: a new key re-creates an input empty when the other kind of upload replaces its file.
    private int _pairInputs, _zipInput;

    [Inject] private TranslationService Service { get; set; } = default!;
    [Inject] private TranslationCheckpoints Checkpoints { get; set; } = default!;
    [Inject] private DatasetCatalog Datasets { get; set; } = default!;
    [Inject] private UploadBudget Budget { get; set; } = default!;
    [Inject] private UploadStaging Staging { get; set; } = default!;

    [Inject] private Microsoft.Extensions.Options.IOptions<Options.BeamOptions> Beams { get; set; } = default!;

    private int MaxBeams => Beams.Value.Max;

    private string BusyText => _reading ? "Reading the upload…"
        : $"Translating: {_rows.Count(r => r.IsDone)} of {_rows.Count} clip(s) done…";

    private double DonePercent => _rows.Count == 0 ? 0 : 100.0 * _rows.Count(r => r.IsDone) / _rows.Count;

    private static string DecodeTitle(TranslateRow row) => row.DecodeMs is null ? ""
        : row.IsBatchShare
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"share of a batch of {row.BatchClips} clips decoded together in {row.BatchDecodeMs:F0} ms")
            : "decoded alone";

    private string CsvHref => "data:text/csv;charset=utf-8;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TranslateRow.ToCsv(_rows)));

    protected override async Task OnInitializedAsync()
    {
        var choices = await Checkpoints.ChoicesAsync(_cancellation.Token);
        _checkpoints = choices.Checkpoints;
        _checkpoint = (_checkpoints.FirstOrDefault(c => c.Id == choices.DefaultId) ?? _checkpoints.FirstOrDefault())?.Key;
        _datasets = Datasets.List();
        _dataset = _datasets.FirstOrDefault()?.Name;
    }

    // The most recent choice wins: a pair file replaces a chosen zip, a zip replaces a chosen pair.
    private void ChooseKeypoints(IBrowserFile? file)
    {
        _keypointsFile = file;
        ForgetZip();
    }

    private void ChooseSiglip(IBrowserFile? file)
    {
        _siglipFile = file;
        ForgetZip();
    }

    private void ChooseZip(IBrowserFile? file)
    {
        _zipFile = file;
        if (_keypointsFile is null && _siglipFile is null)
            return;
        _keypointsFile = _siglipFile = null;
        _pairInputs++;
    }

    private void ForgetZip()
    {
        if (_zipFile is null)
            return;
        _zipFile = null;
        _zipInput++;
    }

    /// Starts an action: the previous action's results and problems go, the controls are disabled until it ends.
    private void Begin(bool reading)
    {
        _problems = [];
        _rows = [];
        _elapsedMs = null;
        _busy = true;
        _reading = reading;
    }

    private void End()
    {
        _busy = false;
        _reading = false;
    }

    private async Task TranslateUploadAsync()
    {
        if (_busy)
            return;
        var options = Service.Options;
        var cancellationToken = _cancellation.Token;
        Begin(reading: true);
        UploadLease? lease = null;
        try
        {
            await Task.Yield(); // show the busy state before reading
            var (zip, keypoints, siglip) = (_zipFile, _keypointsFile, _siglipFile);
            IReadOnlyList<(string Field, IBrowserFile File)> chosen =
                zip is not null ? [(Api.TranslateApi.ZipField, zip)]
                : keypoints is not null && siglip is not null ? [(Api.TranslateApi.KeypointsField, keypoints), (Api.TranslateApi.SiglipField, siglip)]
                : [];
            if (chosen.Count == 0)
            {
                _problems = ["Choose a keypoints .npy and a SigLIP .npy, or a zip of pairs."];
                return;
            }
            long total = chosen.Sum(c => c.File.Size);
            if (total > options.MaxUploadBytes)
            {
                _problems = [$"The upload has {total} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips."];
                return;
            }
            // The files' bytes are reserved before they are read, in the budget the API's uploads share; the lease is
            // held (as the API holds it until its answer) while the decoded clips are translated.
            lease = Budget.TryAcquire(total);
            if (lease is null)
            {
                _problems = [BudgetFullProblem(options)];
                return;
            }
            var validation = await StageAndValidateAsync(chosen, lease, options, cancellationToken);
            if (!validation.IsValid)
            {
                _problems = [.. validation.Problems];
                return;
            }
            _reading = false;
            await RunAsync(validation.Clips, _ => null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the page was closed
        }
        finally
        {
            lease?.Dispose();
            End();
        }
    }

    private string BudgetFullProblem(TranslationOptions options)
        => $"The portal is handling other uploads ({Budget.InFlightBytes} of {Budget.CapacityBytes} bytes in flight); try again in {options.RetryAfterSeconds} s.";

    /// Streams the chosen files to temporary files (<see cref="UploadStaging"/>), grows the lease to a zip's
    /// uncompressed size and validates from the files as the API does; the files are deleted before it returns.
    private async Task<UploadValidation> StageAndValidateAsync(IReadOnlyList<(string Field, IBrowserFile File)> chosen, UploadLease lease,
        TranslationOptions options, CancellationToken cancellationToken)
    {
        using var form = new StagedForm();
        try
        {
            foreach (var (field, file) in chosen)
            {
                await using var source = file.OpenReadStream(options.MaxUploadBytes, cancellationToken);
                await Staging.AddFileAsync(form, field, file.Name, source, options.MaxUploadBytes, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or UploadFormException)
        {
            return UploadValidation.Invalid($"The upload cannot be read ({ex.Message}); files may have at most {options.MaxUploadBytes} bytes.");
        }
        return await Task.Run(() => Api.TranslateApi.ValidateStaged(form.Files, lease, options, out long unpacked)
            ?? UploadValidation.Invalid($"The portal is handling other uploads: the zip's files take {unpacked} bytes uncompressed, more than the upload budget has free now; try again in {options.RetryAfterSeconds} s."),
            cancellationToken);
    }

    private async Task TranslateSamplesAsync()
    {
        if (_busy)
            return;
        Begin(reading: true);
        try
        {
            await TranslateSamplesCoreAsync();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // the page was closed
        }
        finally
        {
            End();
        }
    }

    private async Task TranslateSamplesCoreAsync()
    {
        var entry = _dataset is null ? null : Datasets.Find(_dataset);
        if (entry is null)
        {
            _problems = ["Choose a dataset."];
            return;
        }
        int count = Math.Clamp(_sampleCount, 1, Service.Options.MaxFilesPerUpload);
        try
        {
            var layout = new DatasetLayout(entry.Path);
            var store = new FeatureStore(layout);
            string split = _split;
            var (samples, clips) = await Task.Run(() =>
            {
                var samples = PhoenixCorpus.Load(layout.AnnotationsDir, split).Take(count).ToList();
                var clips = samples.Select(s => ClipReader.Read(
                    store.FindFile(FeatureKind.Keypoints, split, s.Name) ?? throw store.MissingFileProblem(FeatureKind.Keypoints, split, s.Name).ToException(),
                    store.FindFile(FeatureKind.Siglip, split, s.Name) ?? throw store.MissingFileProblem(FeatureKind.Siglip, split, s.Name).ToException(),
                    s.Name)).ToList();
                return (samples, clips);
            }, _cancellation.Token);
            var references = samples.ToDictionary(s => s.Name, s => s.Translation, StringComparer.Ordinal);
            _reading = false;
            await RunAsync(clips, name => references.GetValueOrDefault(name));
        }
        catch (PhoenixDataException ex)
        {
            _problems = [ex.Message];
        }
    }

    private async Task RunAsync(IReadOnlyList<FeatureSample> clips, Func<string, string?> referenceOf)
    {
        var (checkpoint, problem) = await Checkpoints.ResolveAsync(_checkpoint, _cancellation.Token);
        if (checkpoint is null)
        {
            _problems = [problem!];
            return;
        }
        if (Beams.Value.Problem(_beams) is string beamProblem)
        {
            _problems = [beamProblem];
            return;
        }
        var rows = clips.Select(c => new TranslateRow(c.Name, referenceOf(c.Name))).ToList();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        var tasks = Service.SubmitAll(checkpoint.Folder, _beams, clips, run);
        if (tasks is null)
        {
            _problems = [$"The translation service is busy; retry in {Service.Options.RetryAfterSeconds} s."];
            return;
        }
        _rows = rows;
        await InvokeAsync(StateHasChanged);
        await Task.WhenAll(tasks.Select((task, i) => ShowAsync(task, rows[i])));
        _elapsedMs = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private async Task ShowAsync(Task<TranslationResult> task, TranslateRow row)
    {
        try
        {
            var result = await task;
            row.Complete(result);
        }
        catch (TranslationFailedException ex)
        {
            row.Fail(ex.Message);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return; // the portal is shutting down
        }
        await InvokeAsync(StateHasChanged);
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
