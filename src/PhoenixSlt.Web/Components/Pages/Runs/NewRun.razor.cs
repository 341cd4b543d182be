using System.Globalization;
using PhoenixSlt.Training.Specs;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.SystemInfo;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// The New-run form: generated from the run spec's field table (sections, labels, help, defaults), with pickers for
/// the dataset, device and checkpoints. It binds to a <see cref="RunSpec"/> and shows the spec's own validation.
public partial class NewRun
{
    public const string AdvancedSection = "Advanced";

    /// Sections in the order the page shows them; fields without a section are advanced.
    public static IReadOnlyList<string> Sections { get; } = ["What to train", "Budget and validation", "Optimisation", "Augmentation", "Hardware", "Start from", AdvancedSection];

    /// Estimates above this are shown as a warning.
    public static readonly TimeSpan LongRun = TimeSpan.FromHours(1);

    /// Fields the portal sets itself.
    private static readonly HashSet<string> PortalAssigned = ["out"];

    /// Settings of the "Quick demo" button: a few dozen steps per stage on the tiny preset, greedy validation.
    public static RunSpec QuickDemo(RunSpec current) => new()
    {
        Name = current.Name,
        Phase = current.Phase,
        Data = current.Data,
        Preset = "tiny",
        Epochs = null,
        MaxSteps = 30,
        EvalEvery = 15,
        LogEvery = 2,
        BatchSize = 4,
        Beams = 1,
        Device = current.Device,
        Init = current.Init,
        Mbart = current.Mbart,
    };

    private RunSpec _spec = new();
    private readonly Dictionary<string, string?> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _parseErrors = new(StringComparer.Ordinal);
    private SpecProblems _problems = SpecProblems.None;
    private bool _showErrors;
    private SpecContext _context = SpecContext.ValuesOnly;
    private IReadOnlyList<DatasetEntry> _datasets = [];
    private IReadOnlyList<string> _devices = ["cpu"];
    private int _cudaDevices;
    private IReadOnlyList<CheckpointInfo> _checkpoints = [];
    private IReadOnlyList<FolderChoice> _initChoices = [];
    private IReadOnlyList<FolderChoice> _mbartChoices = [];
    private IReadOnlyList<string> _submitErrors = [];
    private bool _submitting;
    private readonly Dictionary<(string Dataset, string Split), int> _clipCounts = [];
    private readonly Dictionary<(string Preset, string Device), PresetSpeed> _speeds = [];
    private readonly HashSet<(string Preset, string Device)> _measuring = [];
    private RunEstimate? _estimate;
    private RunEstimate? _quickDemoEstimate;

    // Seeds, sweep and the ablation: a group of runs instead of one (GroupForm holds the rules).
    private string? _seedsText = "1";
    private bool _sweepOn;
    private string _sweepMode = SweepModes.Grid;
    private readonly List<SweepRow> _sweepRows = [new()];
    private string? _sweepCountText = "4";
    private GroupPreview _preview = new(1, 1, 1, new Dictionary<string, IReadOnlyList<string>>());
    private SweepDefinition? _sweep;
    private int _seedCount = 1;
    private string? _seedsParseProblem;
    /// Problems the group service reported at the last submit, by key (seeds, sweep, kind, name, spec).
    private IReadOnlyDictionary<string, string[]> _groupProblems = new Dictionary<string, string[]>();

    [Inject] private RunService Runs { get; set; } = null!;
    [Inject] private RunGroupService Groups { get; set; } = null!;
    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private DatasetCatalog Catalog { get; set; } = null!;
    [Inject] private PhoenixPaths Paths { get; set; } = null!;
    [Inject] private IServiceProvider Services { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private ILogger<NewRun> Logger { get; set; } = null!;
    [Inject] private IDbContextFactory<PhoenixDbContext> Contexts { get; set; } = null!;

    /// The fields of <paramref name="section"/>, in the table's order.
    public static IReadOnlyList<SpecField> FieldsOf(string section)
        => [.. RunSpecFields.All.Where(f => f.Section == section && !PortalAssigned.Contains(f.Name))];

    protected override async Task OnInitializedAsync()
    {
        RefreshDatasets();
        SetSpec(Defaults());
        await LoadDevicesAsync();
        await LoadCheckpointsAsync();
    }

    /// The device's defaults (<see cref="RunSpecDefaults"/>) on the default dataset.
    private RunSpec Defaults(string? device = null)
    {
        RunSpec defaults = RunSpecDefaults.For(device);
        defaults.Data = (_datasets.FirstOrDefault(d => d.Name == Paths.DefaultDataset) ?? _datasets.FirstOrDefault())?.Name;
        return defaults;
    }

    /// Shows <paramref name="spec"/>: every field's text from its value, no pending errors.
    private void SetSpec(RunSpec spec)
    {
        _spec = spec;
        _texts.Clear();
        _parseErrors.Clear();
        foreach (SpecField field in RunSpecFields.All)
            _texts[field.Name] = field.Format(field.Get(spec));
        _showErrors = false;
        Revalidate();
    }

    /// A field changed: parse its text into the spec (keeping the text and the message when it does not parse).
    private void SetValue(SpecField field, string? text)
    {
        _texts[field.Name] = text;
        if (field.TryParse(text, out object? value, out string? error))
        {
            field.Set(_spec, value);
            _parseErrors.Remove(field.Name);
        }
        else
        {
            _parseErrors[field.Name] = error!;
        }
        if (field.Name == "phase")
            OnPhaseChanged();
        _showErrors = true;
        Revalidate();
    }

    private void SetPhase(string phase) => SetValue(RunSpecFields.Get("phase"), phase);

    /// A new device: the settings that still have the old device's defaults take the new one's (beams, epochs).
    private void SetDevice(string device)
    {
        _spec = RunSpecDefaults.SwitchDevice(_spec, device);
        foreach (string name in new[] { "device", "beams", "epochs" })
        {
            SpecField field = RunSpecFields.Get(name);
            _texts[name] = field.Format(field.Get(_spec));
            _parseErrors.Remove(name);
        }
        _showErrors = true;
        Revalidate();
    }

    private void OnPhaseChanged()
    {
        if (_spec.Phase == TrainingPhaseNames.Pipeline)
        {
            _spec.Init = null;
            _texts["init"] = "";
        }
        _initChoices = CheckpointChoices.InitChoices(_checkpoints, _spec.Phase);
    }

    /// The spec's validation plus the texts that did not parse.
    private void Revalidate()
    {
        var parsed = new SpecProblems.Builder();
        foreach (var (name, message) in _parseErrors)
            parsed.Add(name, message);
        _problems = parsed.Build().Merge(Runs.Validate(_spec, _context));
        UpdateEstimates();
        UpdatePreview();
    }

    /// The kind of group the form queues (null: one run).
    private string? GroupKind => GroupForm.KindOf(_seedCount, _sweepOn);

    /// Recounts the runs the form would queue from the seeds and sweep inputs.
    private void UpdatePreview()
    {
        (_seedCount, _seedsParseProblem) = GroupForm.ParseSeeds(_seedsText);
        IReadOnlyList<string> sweepInput = [];
        _sweep = null;
        if (_sweepOn)
            (_sweep, sweepInput) = GroupForm.Sweep(_sweepMode, _sweepRows, _sweepCountText, _spec.Seed);
        _preview = GroupForm.Preview(GroupKind, _spec, _seedCount, _sweep, sweepInput);
    }

    private void SetSeeds(string? text)
    {
        _seedsText = text;
        _groupProblems = new Dictionary<string, string[]>();
        UpdatePreview();
    }

    private void SetSweepOn(bool on)
    {
        _sweepOn = on;
        _groupProblems = new Dictionary<string, string[]>();
        UpdatePreview();
    }

    private void SetSweepMode(string mode)
    {
        _sweepMode = mode;
        UpdatePreview();
    }

    /// A sweep input changed (field, values, range, count).
    private void SweepChanged(Action change)
    {
        change();
        _groupProblems = new Dictionary<string, string[]>();
        UpdatePreview();
    }

    private void AddSweepRow() => SweepChanged(() => _sweepRows.Add(new SweepRow()));

    private void RemoveSweepRow(SweepRow row) => SweepChanged(() => _sweepRows.Remove(row));

    /// The seeds input's problem: not a number, out of range, or the service's.
    private string? SeedsError
        => _seedsParseProblem ?? _preview.For(RunGroupService.SeedsField).FirstOrDefault() ?? _groupProblems.GetValueOrDefault(RunGroupService.SeedsField)?.FirstOrDefault();

    /// Problems of the sweep (the inputs', the plan's, or the service's).
    private IReadOnlyList<string> SweepErrors
        => _sweepOn ? [.. _preview.For(RunGroupService.SweepField).Concat(_groupProblems.GetValueOrDefault(RunGroupService.SweepField) ?? []).Distinct()] : [];

    /// Problems of the group as a whole (kind, name, spec) from the service.
    private IReadOnlyList<string> GroupErrors
        => [.. new[] { RunGroupService.KindField, RunGroupService.NameField, RunGroupService.SpecField }.SelectMany(k => _groupProblems.GetValueOrDefault(k) ?? [])];

    /// "Start run", "Queue 4 runs".
    private string SubmitText => GroupKind is null ? "Start run" : _preview.Runs > 0 ? $"Queue {_preview.Runs} runs" : "Queue runs";

    /// The ablation's runs with the form's seeds (two arms).
    private GroupPreview AblationPreview => GroupForm.Preview(RunGroupKinds.Ablation, _spec, _seedCount, null);

    /// The estimated wall time of the form's spec and of the quick demo (null without a dataset or training clips).
    private void UpdateEstimates()
    {
        _estimate = EstimateOf(_spec);
        _quickDemoEstimate = EstimateOf(QuickDemo(_spec));
    }

    private RunEstimate? EstimateOf(RunSpec spec)
    {
        if (string.IsNullOrEmpty(spec.Data) || _datasets.FirstOrDefault(d => d.Name == spec.Data) is not { } dataset)
            return null;
        int train = ClipCount(dataset, spec.TrainSplit), validation = ClipCount(dataset, spec.ValidationSplit);
        return train > 0 ? RunEstimate.Of(spec, train, validation, SpeedOf(spec.Preset, spec.Device)) : null;
    }

    /// Clips of a split (its annotation rows), 0 when it cannot be read; counted once per page.
    private int ClipCount(DatasetEntry dataset, string split)
    {
        if (_clipCounts.TryGetValue((dataset.Name, split), out int count))
            return count;
        try
        {
            count = PhoenixCorpus.Load(new DatasetLayout(dataset.Path).AnnotationsDir, split).Count;
        }
        catch (Exception ex) when (ex is PhoenixDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            count = 0;
        }
        return _clipCounts[(dataset.Name, split)] = count;
    }

    /// The preset's measured speed on the device once known (past runs), the fallback meanwhile.
    private PresetSpeed SpeedOf(string preset, string device)
    {
        if (_speeds.TryGetValue((preset, device), out var speed))
            return speed;
        if (_measuring.Add((preset, device)))
            _ = MeasureSpeedAsync(preset, device);
        return PresetSpeed.Fallback(preset, device);
    }

    private async Task MeasureSpeedAsync(string preset, string device)
    {
        PresetSpeed speed;
        try
        {
            speed = await PresetSpeed.MeasureAsync(Contexts, preset, device);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Logger.LogWarning(ex, "Reading past runs' speed for the New-run estimate failed");
            speed = PresetSpeed.Fallback(preset, device);
        }
        await InvokeAsync(() =>
        {
            _speeds[(preset, device)] = speed;
            UpdateEstimates();
            StateHasChanged();
        });
    }

    /// "~12 min".
    private static string Describe(RunEstimate estimate) => "~" + RunEstimate.Format(estimate.Total);

    /// The estimate of one run, and for seeds or a sweep of several runs also their total one after another (at the
    /// form's settings: swept settings change each run's time).
    private string EstimateText(RunEstimate estimate)
        => GroupKind is RunGroupKinds.Seeds or RunGroupKinds.Sweep && _preview.Runs > 1
            ? $"{Describe(estimate)} per run, ~{RunEstimate.Format(estimate.Total * _preview.Runs)} for the {_preview.Runs} runs one after another"
            : Describe(estimate);

    /// Each stage's steps, validations and their times, and where the speed comes from.
    private static string Breakdown(RunEstimate estimate)
        => string.Join("; ", estimate.Stages.Select(s => string.Create(CultureInfo.InvariantCulture,
               $"{s.Phase}: {s.Steps} steps ~{RunEstimate.Format(s.Training)}, {s.Validations} validation(s) ~{RunEstimate.Format(s.Validation)}")))
           + $". Speed: {estimate.Speed.Source}.";

    private string? TextOf(SpecField field) => _texts.GetValueOrDefault(field.Name);

    /// The first problem of a field once the user has changed something or submitted (not on a fresh form).
    private string? ErrorOf(SpecField field)
        => _showErrors || _parseErrors.ContainsKey(field.Name) ? _problems.FirstFor(field.Name) : null;

    private bool HasError(SpecField field) => ErrorOf(field) is not null;

    private void RefreshDatasets()
    {
        _datasets = Catalog.List();
        _context = Runs.ValidationContext(_cudaDevices);
    }

    private async Task LoadDevicesAsync()
    {
        // The service holds no state of its own; it is created here when the host did not register it.
        SystemInfoService system = Services.GetRequiredService<SystemInfoService>();
        _cudaDevices = await system.CudaDeviceCountAsync();
        _devices = _cudaDevices == 0
            ? ["cpu"]
            : ["cpu", "cuda", .. Enumerable.Range(0, _cudaDevices).Select(i => $"cuda:{i}")];
        _context = _context with { CudaDeviceCount = _cudaDevices };
        Revalidate();
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
        _initChoices = CheckpointChoices.InitChoices(_checkpoints, _spec.Phase);
    }

    private void OnBootstrapFinished(BootstrapStatus status)
    {
        RefreshDatasets();
        if (string.IsNullOrEmpty(_spec.Data))
            SetValue(RunSpecFields.Get("data"), Defaults().Data);
        Revalidate();
    }

    private void UseQuickDemo() => SetSpec(QuickDemo(_spec));

    private void UseDefaults()
    {
        RunSpec defaults = Defaults(_spec.Device);
        defaults.Phase = _spec.Phase;
        defaults.Data = string.IsNullOrEmpty(_spec.Data) ? defaults.Data : _spec.Data;
        SetSpec(defaults);
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

    /// Starts a submit: false while one runs; else the form is checked again against the current datasets and its
    /// errors are shown.
    private bool BeginSubmit()
    {
        if (_submitting)
            return false;
        RefreshDatasets();
        Revalidate();
        _showErrors = true;
        _submitErrors = [];
        return true;
    }

    private async Task SubmitAsync()
    {
        if (!BeginSubmit() || !_problems.IsValid)
            return;
        // the seeds (and sweep) must make sense even for one run: seeds 0 queues nothing
        if (!_preview.IsValid || _seedsParseProblem is not null)
            return;
        if (GroupKind is string kind)
        {
            await QueueGroupAsync(kind);
            return;
        }
        _submitting = true;
        try
        {
            RunCreateResult result = await Runs.CreateAsync(_spec with { });
            if (result.Run is { } run)
            {
                Navigation.NavigateTo($"runs/{run.Id}");
                return;
            }
            // The world changed between the form's check and the service's (e.g. a dataset was removed).
            _submitErrors = result.Problems.Messages;
            _problems = result.Problems;
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

    /// Queues the pre-training ablation with the form's settings and seeds (the phase is the arms').
    private async Task QueueAblationAsync()
    {
        if (BeginSubmit() && _seedsParseProblem is null && AblationPreview.IsValid)
            await QueueGroupAsync(RunGroupKinds.Ablation);
    }

    /// Queues a group through <see cref="RunGroupService"/> and opens its page, or shows the service's problems next
    /// to the fields they concern (spec fields, seeds, sweep) and in the list above the form.
    private async Task QueueGroupAsync(string kind)
    {
        _submitting = true;
        try
        {
            RunGroupCreateResult result = await Groups.CreateAsync(GroupForm.Request(kind, _spec with { }, _seedCount, _sweep));
            if (result.Group is { } group)
            {
                Navigation.NavigateTo($"groups/{group.Id}");
                return;
            }
            _groupProblems = result.Problems;
            var specProblems = new SpecProblems.Builder();
            foreach (var (key, messages) in result.Problems)
                if (RunSpecFields.Find(key) is not null)
                    foreach (string message in messages)
                        specProblems.Add(key, message);
            _problems = _problems.Merge(specProblems.Build());
            _submitErrors = [.. result.Problems.SelectMany(p => p.Value).Distinct()];
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Creating a run group failed");
            _submitErrors = [$"The runs could not be stored: {ex.Message}. Check that the data root is writable and try again."];
        }
        finally
        {
            _submitting = false;
        }
    }

    private static bool IsWide(SpecField field) => field.Name is "phase" or "name" or "data" or "preset" or "init" or "mbart";

    private static string TestId(string section) => section.ToLowerInvariant().Replace(' ', '-');

    private static string PhaseLabel(string phase) => phase switch
    {
        TrainingPhaseNames.Text => "text: mBART denoising on the corpus sentences",
        TrainingPhaseNames.Vlp => "vlp: visual-language pretraining",
        TrainingPhaseNames.Slt => "slt: sign-language translation",
        TrainingPhaseNames.Pipeline => "full pipeline: text → vlp → slt",
        _ => phase,
    };

    private static string PhaseHelp(string phase) => phase == TrainingPhaseNames.Pipeline
        ? "Three stages in one run; each starts from the previous stage's best checkpoint."
        : "One training phase, as phoenix-slt train runs it.";

    private string InitHelp() => _spec.Phase == TrainingPhaseNames.Pipeline
        ? "The pipeline chains its own checkpoints."
        : $"A checkpoint folder to start from ({string.Join(" or ", CheckpointChoices.InitPhasesFor(_spec.Phase))}); empty: fresh weights.";

    private string DeviceHelp() => _cudaDevices == 0
        ? "libtorch sees no CUDA device here: training runs on the CPU."
        : string.Create(CultureInfo.InvariantCulture, $"{_cudaDevices} CUDA device(s); cuda = cuda:0.");
}
