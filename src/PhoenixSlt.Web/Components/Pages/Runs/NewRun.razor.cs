using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.SystemInfo;

namespace PhoenixSlt.Web.Components.Pages.Runs;

public partial class NewRun
{
    /// Settings of the "Quick demo" button: a few dozen steps per stage on the tiny preset, greedy validation.
    public static RunRequest QuickDemo(RunRequest current) => new()
    {
        Name = current.Name,
        Phase = current.Phase,
        Dataset = current.Dataset,
        Preset = "tiny",
        Epochs = null,
        MaxSteps = 30,
        EvalEvery = 15,
        LogEvery = 2,
        BatchSize = 4,
        Beams = 1,
        Device = current.Device,
        InitCheckpoint = current.InitCheckpoint,
        MBartFolder = current.MBartFolder,
    };

    private readonly Func<object, string, IEnumerable<string>> _validate;
    private MudForm? _form;
    private RunRequest _request = new();
    private RunValidationContext _context = RunValidationContext.ValuesOnly;
    private IReadOnlyList<DatasetEntry> _datasets = [];
    private IReadOnlyList<string> _devices = [RunRequest.DefaultDevice];
    private int _cudaDevices;
    private IReadOnlyList<CheckpointInfo> _checkpoints = [];
    private IReadOnlyList<FolderChoice> _initChoices = [];
    private IReadOnlyList<FolderChoice> _mbartChoices = [];
    private IReadOnlyList<string> _submitErrors = [];
    private bool _submitting;

    public NewRun()
    {
        // Field validation through the shared validator: the same rules and messages as POST /api/runs.
        _validate = (model, field) => RunRequestValidator.Validate((RunRequest)model, _context).For(field);
    }

    [Inject] private RunService Runs { get; set; } = null!;
    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private DatasetCatalog Catalog { get; set; } = null!;
    [Inject] private PhoenixPaths Paths { get; set; } = null!;
    [Inject] private IServiceProvider Services { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private ILogger<NewRun> Logger { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        RefreshDatasets();
        _request = Defaults();
        await LoadDevicesAsync();
        await LoadCheckpointsAsync();
    }

    private RunRequest Defaults() => new()
    {
        Dataset = (_datasets.FirstOrDefault(d => d.Name == Paths.DefaultDataset) ?? _datasets.FirstOrDefault())?.Name ?? "",
    };

    private void RefreshDatasets()
    {
        _datasets = Catalog.List();
        _context = Runs.ValidationContext() with { CudaDeviceCount = _cudaDevices };
    }

    private async Task LoadDevicesAsync()
    {
        // The service holds no state of its own; it is created here when the host did not register it.
        SystemInfoService system = Services.GetRequiredService<SystemInfoService>();
        _cudaDevices = await system.CudaDeviceCountAsync();
        _devices = _cudaDevices == 0
            ? [RunRequest.DefaultDevice]
            : [RunRequest.DefaultDevice, "cuda", .. Enumerable.Range(0, _cudaDevices).Select(i => $"cuda:{i}")];
        _context = _context with { CudaDeviceCount = _cudaDevices };
    }

    private async Task LoadCheckpointsAsync()
    {
        try
        {
            _checkpoints = await Store.ListCheckpointsAsync();
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            Logger.LogWarning(ex, "Listing checkpoints for the New-run form failed");
            _checkpoints = [];
        }
        IReadOnlyList<string> folders = await Task.Run(() => CheckpointChoices.FindMBartFolders(Paths.CheckpointRoot));
        _mbartChoices = CheckpointChoices.MBartChoices(_checkpoints, folders);
        _initChoices = CheckpointChoices.InitChoices(_checkpoints, _request.Phase);
    }

    private void OnBootstrapFinished(BootstrapStatus status)
    {
        RefreshDatasets();
        if (string.IsNullOrEmpty(_request.Dataset))
            _request.Dataset = Defaults().Dataset;
    }

    private void SetPhase(string phase)
    {
        _request.Phase = phase;
        if (phase == RunPhases.Pipeline)
            _request.InitCheckpoint = null;
        _initChoices = CheckpointChoices.InitChoices(_checkpoints, phase);
    }

    private void UseQuickDemo()
    {
        _request = QuickDemo(_request);
        _form?.ResetValidation();
    }

    private void UseDefaults()
    {
        RunRequest defaults = Defaults();
        defaults.Phase = _request.Phase;
        defaults.Dataset = string.IsNullOrEmpty(_request.Dataset) ? defaults.Dataset : _request.Dataset;
        _request = defaults;
        _form?.ResetValidation();
    }

    private Task<IEnumerable<string>> SearchInitAsync(string? text, CancellationToken cancellationToken)
        => Task.FromResult(Search(_initChoices, text));

    private Task<IEnumerable<string>> SearchMBartAsync(string? text, CancellationToken cancellationToken)
        => Task.FromResult(Search(_mbartChoices, text));

    /// Choices whose path or description contains <paramref name="text"/> (all of them for an empty text).
    private static IEnumerable<string> Search(IReadOnlyList<FolderChoice> choices, string? text)
        => string.IsNullOrWhiteSpace(text)
            ? choices.Select(c => c.Path)
            : choices.Where(c => c.Path.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)
                                 || c.Description.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)).Select(c => c.Path);

    private static string DescribeChoice(IReadOnlyList<FolderChoice> choices, string? path)
        => choices.FirstOrDefault(c => c.Path == path)?.Description ?? "";

    private async Task SubmitAsync()
    {
        if (_form is null || _submitting)
            return;
        RefreshDatasets();
        _submitErrors = [];
        await _form.Validate();
        if (!_form.IsValid)
            return;
        _submitting = true;
        try
        {
            RunCreateResult result = await Runs.CreateAsync(_request);
            if (result.Run is { } run)
            {
                Navigation.NavigateTo($"runs/{run.Id}");
                return;
            }
            // The world changed between the form's check and the service's (e.g. a dataset was removed).
            _submitErrors = [.. result.Validation.Errors.SelectMany(e => e.Value)];
            await _form.Validate();
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Creating a run failed");
            _submitErrors = [$"The run could not be stored: {ex.Message}. Check that the data root is writable and try again."];
        }
        finally
        {
            _submitting = false;
        }
    }

    private static string PhaseLabel(string phase) => phase switch
    {
        RunPhases.Text => "text: mBART denoising on the corpus sentences",
        RunPhases.Vlp => "vlp: visual-language pretraining",
        RunPhases.Slt => "slt: sign-language translation",
        RunPhases.Pipeline => "full pipeline: text → vlp → slt",
        _ => phase,
    };

    private static string PhaseHelp(string phase) => phase == RunPhases.Pipeline
        ? "Three stages in one run; each starts from the previous stage's best checkpoint."
        : "One `phoenix-slt train` phase.";

    private string InitHelp() => _request.Phase == RunPhases.Pipeline
        ? "The pipeline chains its own checkpoints."
        : $"A checkpoint folder to start from ({string.Join(" or ", CheckpointChoices.InitPhasesFor(_request.Phase))}); empty: fresh weights.";

    private string DeviceHelp() => _cudaDevices == 0
        ? "libtorch sees no CUDA device here: training runs on the CPU."
        : string.Create(CultureInfo.InvariantCulture, $"{_cudaDevices} CUDA device(s); cuda = cuda:0.");
}
