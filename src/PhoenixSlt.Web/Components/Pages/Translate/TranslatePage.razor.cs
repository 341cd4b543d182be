using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Components.Pages.Translate;

/// Translate uploads or dataset samples with a chosen slt checkpoint; rows fill in as the service finishes them.
public sealed partial class TranslatePage : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
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
    private IBrowserFile? _keypointsFile, _siglipFile, _zipFile;
    // Keys of the file inputs: a new key re-creates an input empty when the other kind of upload replaces its file.
    private int _pairInputs, _zipInput;

    [Inject] private TranslationService Service { get; set; } = default!;
    [Inject] private TranslationCheckpoints Checkpoints { get; set; } = default!;
    [Inject] private DatasetCatalog Datasets { get; set; } = default!;

    private string CsvHref => "data:text/csv;charset=utf-8;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TranslateRow.ToCsv(_rows)));

    protected override async Task OnInitializedAsync()
    {
        _checkpoints = await Checkpoints.ListAsync(_cancellation.Token);
        _checkpoint = _checkpoints.FirstOrDefault() is { } first ? first.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? first.Folder : null;
        _datasets = Datasets.List();
        _dataset = _datasets.FirstOrDefault()?.Name;
    }

    // The most recent choice wins: a pair file replaces a chosen zip, a zip replaces a chosen pair.
    private void ChooseKeypoints(InputFileChangeEventArgs e)
    {
        _keypointsFile = e.File;
        ForgetZip();
    }

    private void ChooseSiglip(InputFileChangeEventArgs e)
    {
        _siglipFile = e.File;
        ForgetZip();
    }

    private void ChooseZip(InputFileChangeEventArgs e)
    {
        _zipFile = e.File;
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

    private async Task TranslateUploadAsync()
    {
        var options = Service.Options;
        _problems = [];
        UploadValidation validation;
        try
        {
            if (_zipFile is not null)
                validation = UploadValidator.ValidateZip(await ReadAsync(_zipFile, options), options);
            else if (_keypointsFile is not null && _siglipFile is not null)
                validation = UploadValidator.ValidatePair(await ReadAsync(_keypointsFile, options), await ReadAsync(_siglipFile, options), options);
            else
                validation = UploadValidation.Invalid("Choose a keypoints .npy and a SigLIP .npy, or a zip of pairs.");
        }
        catch (IOException ex)
        {
            validation = UploadValidation.Invalid($"The upload cannot be read ({ex.Message}); files may have at most {options.MaxUploadBytes} bytes.");
        }
        if (!validation.IsValid)
        {
            _problems = [.. validation.Problems];
            return;
        }
        await RunAsync(validation.Clips, _ => null);
    }

    private async Task TranslateSamplesAsync()
    {
        _problems = [];
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
            var samples = PhoenixCorpus.Load(layout.AnnotationsDir, _split).Take(count).ToList();
            var clips = samples.Select(s => ClipReader.Read(
                store.FindFile(FeatureKind.Keypoints, _split, s.Name) ?? throw store.MissingFileProblem(FeatureKind.Keypoints, _split, s.Name).ToException(),
                store.FindFile(FeatureKind.Siglip, _split, s.Name) ?? throw store.MissingFileProblem(FeatureKind.Siglip, _split, s.Name).ToException(),
                s.Name)).ToList();
            var references = samples.ToDictionary(s => s.Name, s => s.Translation, StringComparer.Ordinal);
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
        if (_beams < 1 || _beams > Service.Options.MaxBeams)
        {
            _problems = [$"Beams must be from 1 (greedy) to {Service.Options.MaxBeams}."];
            return;
        }
        _busy = true;
        _rows = [.. clips.Select(c => new TranslateRow(c.Name, referenceOf(c.Name)))];
        try
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
            var tasks = Service.SubmitAll(checkpoint.Folder, _beams, clips, run);
            if (tasks is null)
            {
                _problems = [$"The translation service is busy; retry in {Service.Options.RetryAfterSeconds} s."];
                _rows = [];
                return;
            }
            await Task.WhenAll(tasks.Select((task, i) => ShowAsync(task, _rows[i])));
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ShowAsync(Task<TranslationResult> task, TranslateRow row)
    {
        try
        {
            var result = await task;
            row.Complete(result.Hypothesis, result.Frames, result.Ms, result.Glosses);
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

    private static async Task<UploadedFile> ReadAsync(IBrowserFile file, TranslationOptions options)
    {
        using var buffer = new MemoryStream();
        await using (var stream = file.OpenReadStream(options.MaxUploadBytes))
            await stream.CopyToAsync(buffer);
        return new UploadedFile(file.Name, buffer.ToArray());
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
