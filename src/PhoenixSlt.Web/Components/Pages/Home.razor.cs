using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages;

/// The dashboard: running and queued runs with their progress (live through the run notifier), the newest best
/// checkpoints with their BLEU-4, the newest evaluations, and the quick actions.
public partial class Home : IDisposable
{
    /// Rows of the checkpoint and evaluation lists.
    public const int RecentCount = 5;

    private readonly CancellationTokenSource _disposed = new();
    private List<RunInfo> _active = [];
    private IReadOnlyList<CheckpointInfo> _best = [];
    private IReadOnlyList<EvaluationInfo> _evaluations = [];
    private UpdateThrottle<RunUpdate>? _throttle;
    private IDisposable? _runSubscription, _evaluationSubscription;

    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private RunNotifier RunUpdates { get; set; } = null!;
    [Inject] private EvaluationService Evaluations { get; set; } = null!;
    [Inject] private EvaluationNotifier EvaluationUpdates { get; set; } = null!;
    [Inject] private PhoenixPaths Paths { get; set; } = null!;
    [Inject] private ILogger<Home> Logger { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _throttle = new UpdateThrottle<RunUpdate>(Pages.Runs.RunList.RenderInterval, batch => InvokeAsync(() => ApplyAsync(batch)));
        _runSubscription = RunUpdates.Subscribe(update => _throttle.Post(update));
        _evaluationSubscription = EvaluationUpdates.Subscribe(evaluation => _ = InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var runs = await Store.ListAsync(new RunQuery(Sort: RunSortField.Created, Descending: false), _disposed.Token);
            _active = ActiveRuns(runs);
            _best = [.. (await Store.ListCheckpointsAsync(new CheckpointQuery(Phase: TrainingPhaseNames.Slt, BestOnly: true), _disposed.Token)).Take(RecentCount)];
            _evaluations = [.. (await Evaluations.ListAsync(cancellationToken: _disposed.Token)).Take(RecentCount)];
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Loading the dashboard failed");
        }
    }

    /// The runs to show: running first, then queued, each oldest first (the order they started or will start).
    public static List<RunInfo> ActiveRuns(IEnumerable<RunInfo> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return [.. runs.Where(r => r.Status.IsActive()).OrderBy(r => r.Status == JobStatus.Running ? 0 : 1).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id)];
    }

    /// "step 12 / 30 (40%)" while running, "queued" before the start.
    public static string ProgressText(RunInfo run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status == JobStatus.Queued)
            return "queued";
        string stage = run.StageCount > 1 && run.Stage is not null ? $"{run.Stage} stage · " : "";
        return run.ProgressTotal is long total && total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{stage}step {run.ProgressStep} / {total} ({run.Percent:F0}%)")
            : $"{stage}starting";
    }

    private string CheckpointName(CheckpointInfo checkpoint)
        => Services.Translation.TranslationCheckpoints.Label(checkpoint, null, Paths.CheckpointRoot);

    /// A state change reloads the lists (a run started, finished or was queued); steps move the progress bars.
    private async Task ApplyAsync(IReadOnlyList<RunUpdate> batch)
    {
        if (batch.Any(u => u is RunStateUpdate))
            await LoadAsync();
        foreach (RunUpdate update in batch)
        {
            int index = _active.FindIndex(r => r.Id == update.RunId);
            if (index >= 0 && update is RunEventUpdate { Event: StepEvent step } progress)
                _active[index] = _active[index] with { Stage = progress.Stage, ProgressStep = step.Step, Epoch = step.Epoch, EtaSeconds = step.EtaS };
        }
        StateHasChanged();
    }

    public void Dispose()
    {
        _runSubscription?.Dispose();
        _evaluationSubscription?.Dispose();
        _throttle?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
