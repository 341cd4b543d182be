using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.Tags;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Components.Pages.Runs;

public partial class RunDetail : IDisposable
{
    /// Log lines kept on the page.
    public const int MaxLogLines = 200;

    /// Live updates are drawn at most this often, however fast the run reports.
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(250);

    /// How often "running for" ticks while nothing else happens.
    public static readonly TimeSpan ClockInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();

    private readonly RunMetricsModel _metrics = new();
    private readonly List<RunUpdate> _pendingUntilLoaded = [];
    private UpdateThrottle<RunUpdate>? _throttle;
    private IDisposable? _subscription;
    private int? _subscribedId;
    private bool _loaded;
    private bool _notFound;
    private bool _busy;
    private RunInfo? _run;
    private RunSpec? _config;
    private IReadOnlyList<TranslationSample> _samples = [];
    private List<RunLogEntry> _log = [];
    private IReadOnlyList<CheckpointInfo> _checkpoints = [];
    private string? _selectedStage;

    [Parameter] public int Id { get; set; }

    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private RunService Runs { get; set; } = null!;
    [Inject] private RunNotifier Notifier { get; set; } = null!;
    [Inject] private TagService Tags { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private ILogger<RunDetail> Logger { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// Whether the signed-in user may cancel and resume (operator or admin role).
    private bool _canOperate;

    private DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// The stage whose curves are shown: the one picked, else the run's current stage once it has points,
    /// else the last stage with points.
    private string CurrentStage
    {
        get
        {
            if (_selectedStage is not null)
                return _selectedStage;
            IReadOnlyList<string> stages = _metrics.Stages;
            if (_run?.Stage is { } stage && (stages.Contains(stage) || stages.Count == 0))
                return stage;
            return stages.Count > 0 ? stages[^1] : _run?.Phase ?? TrainingPhaseNames.Slt;
        }
    }

    protected override async Task OnInitializedAsync()
    {
        _throttle = new UpdateThrottle<RunUpdate>(RenderInterval, batch => InvokeAsync(() => ApplyAsync(batch)));
        _canOperate = PortalAccess.CanOperate(await PortalAccess.UserAsync(AuthenticationState));
        _ = TickWhileRunningAsync(_disposed.Token);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_subscribedId == Id)
            return;
        // Subscribe before loading: updates arriving while the stored state loads are kept and applied after it.
        _subscription?.Dispose();
        _subscribedId = Id;
        _loaded = false;
        _pendingUntilLoaded.Clear();
        int id = Id;
        _subscription = Notifier.Subscribe(id, update => _throttle?.Post(update));
        await LoadAsync(id);
    }

    private async Task LoadAsync(int id)
    {
        try
        {
            RunDetails? details = await Store.GetDetailsAsync(id);
            if (details is null)
            {
                _notFound = true;
                _run = null;
                return;
            }
            _notFound = false;
            _run = details.Run;
            _config = details.Config;
            _samples = details.LatestSamples;
            _metrics.Load(await Store.GetMetricsAsync(id));
            _log = [.. await Store.GetLogTailAsync(id, MaxLogLines)];
            _checkpoints = await Store.ListCheckpointsAsync(new CheckpointQuery(RunId: id));
            _loaded = true;
            if (_pendingUntilLoaded.Count > 0)
            {
                RunUpdate[] pending = [.. _pendingUntilLoaded];
                _pendingUntilLoaded.Clear();
                await ApplyAsync(pending);
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Loading run {RunId} failed", id);
            Snackbar.Add($"Loading run {id} failed: {ex.Message}. Reload the page to try again.", Severity.Error);
        }
    }

    /// Applies a batch of live updates (on the renderer's thread) and redraws once.
    private async Task ApplyAsync(IReadOnlyList<RunUpdate> batch)
    {
        if (!_loaded)
        {
            _pendingUntilLoaded.AddRange(batch);
            return;
        }
        bool checkpointsChanged = false;
        foreach (RunUpdate update in batch)
        {
            if (update.RunId != Id)
                continue;
            switch (update)
            {
                case RunStateUpdate state:
                    _run = state.Run;
                    break;
                case RunLogUpdate log when log.Line.Id <= 0 || !_log.Exists(l => l.Id == log.Line.Id):
                    _log.Add(log.Line);
                    if (_log.Count > MaxLogLines)
                        _log.RemoveRange(0, _log.Count - MaxLogLines);
                    break;
                case RunSystemUpdate system:
                    _metrics.Apply(system);
                    break;
                case RunEventUpdate progress:
                    _metrics.Apply(progress.Stage, progress.Event);
                    checkpointsChanged |= progress.Event is CheckpointEvent;
                    ApplyProgress(progress.Stage, progress.Event);
                    break;
            }
        }
        if (checkpointsChanged)
            _checkpoints = await Store.ListCheckpointsAsync(new CheckpointQuery(RunId: Id));
        StateHasChanged();
    }

    /// Moves the progress bars with the event stream itself (the stored run state may be updated less often).
    private void ApplyProgress(string stage, ProgressEvent progress)
    {
        if (_run is null)
            return;
        _run = _run.WithProgress(stage, progress);
        if (progress is EvalEvent { Samples.Count: > 0 } eval)
            _samples = eval.Samples;
    }

    /// Redraws once a second while the run is running, so that "running for" counts up between events.
    private async Task TickWhileRunningAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ClockInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                if (_run?.Status == JobStatus.Running)
                    await InvokeAsync(StateHasChanged);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // the page was closed
        }
    }

    private void SelectStage(string stage) => _selectedStage = stage;

    private Task CancelAsync() => CommandAsync(id => Runs.CancelAsync(id));

    private Task ResumeAsync() => CommandAsync(id => Runs.ResumeAsync(id));

    private async Task CommandAsync(Func<int, Task<RunCommandResult>> command)
    {
        if (!_canOperate)
            return;
        _busy = true;
        try
        {
            Report(await command(Id));
        }
        finally
        {
            _busy = false;
        }
    }

    private void Report(RunCommandResult result)
    {
        if (result.Run is { } run)
            _run = run;
        Snackbar.Add(result.Message, result.Outcome == RunCommandOutcome.Done ? Severity.Success : Severity.Warning);
    }

    /// Stores the run's tags and notes (the page then shows the run as the notifier publishes it).
    private async Task<AnnotationResult> SaveAnnotationsAsync(IReadOnlyList<string> tags, string notes)
    {
        AnnotationResult result = await Tags.AnnotateRunAsync(Id, tags, notes);
        if (result.Done && await Store.GetAsync(Id) is { } run)
        {
            _run = run;
            StateHasChanged(); // the editor's callback is not an EventCallback: the page redraws itself
        }
        return result;
    }

    /// The backend's metrics export of this run.
    private string MetricsExportUrl(string format) => $"api/runs/{Id}/metrics?format={format}";

    private static string ProgressText(RunInfo run)
    {
        var parts = new List<string>();
        switch (run.Status)
        {
            case JobStatus.Queued:
                parts.Add($"queued: waiting for a free slot on {run.Device}");
                break;
            case JobStatus.Completed when run.BestMetricName is { } metric:
                parts.Add($"completed · best {metric} {DisplayFormat.Metric(run.BestMetricValue)}");
                break;
        }
        if (run.ProgressTotal is long total)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"step {run.ProgressStep} / {total} ({run.Percent:0.#}%)"));
        else if (run.ProgressStep > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"step {run.ProgressStep}"));
        if (run.Epoch is int epoch)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}"));
        if (run.Status == JobStatus.Running)
        {
            if (run.SamplesPerSecond is double rate)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{rate:0.#} samples/s"));
            if (run.EtaSeconds is double eta)
                parts.Add($"ETA {DisplayFormat.Seconds(eta)}");
        }
        return parts.Count == 0 ? "not started" : string.Join(" · ", parts);
    }

    private static string MetricsText(IReadOnlyDictionary<string, double> metrics)
        => string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {DisplayFormat.Metric(m.Value)}"));

    private static string Local(DateTime utc)
        => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _subscription?.Dispose();
        _throttle?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
