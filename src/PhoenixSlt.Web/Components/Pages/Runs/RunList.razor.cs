using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Components.Pages.Runs;

public partial class RunList : IDisposable
{
    /// Live updates are drawn at most this often.
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(500);

    /// How often durations of running runs tick while nothing else happens.
    public static readonly TimeSpan ClockInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private List<RunInfo> _runs = [];
    private UpdateThrottle<RunUpdate>? _throttle;
    private IDisposable? _subscription;
    private JobStatus? _status;
    private string? _phase;
    private string? _search;
    private string? _tag;
    private IReadOnlyList<KeyValuePair<string, int>> _tags = [];
    private readonly List<int> _selected = [];
    private bool _loading;

    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private RunNotifier Notifier { get; set; } = null!;
    [Inject] private TagService TagService { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private ILogger<RunList> Logger { get; set; } = null!;

    private DateTime Now => Time.GetUtcNow().UtcDateTime;

    protected override async Task OnInitializedAsync()
    {
        _throttle = new UpdateThrottle<RunUpdate>(RenderInterval, batch => InvokeAsync(() => ApplyAsync(batch)));
        _subscription = Notifier.Subscribe(update => _throttle.Post(update));
        _ = TickWhileRunningAsync(_disposed.Token);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _runs = [.. await Store.ListAsync(new RunQuery(_status, _phase, _search, Tag: _tag), _disposed.Token)];
            _tags = await TagService.RunTagsAsync(_disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Listing runs failed");
            Snackbar.Add($"Listing the runs failed: {ex.Message}. Reload the page to try again.", Severity.Error);
        }
        finally
        {
            _loading = false;
        }
    }

    private Task SetStatusAsync(JobStatus? status)
    {
        _status = status;
        return LoadAsync();
    }

    private Task SetPhaseAsync(string? phase)
    {
        _phase = string.IsNullOrEmpty(phase) ? null : phase;
        return LoadAsync();
    }

    private Task SetTagAsync(string? tag)
    {
        _tag = string.IsNullOrEmpty(tag) ? null : tag;
        return LoadAsync();
    }

    /// Whether Compare selected can open the comparison: at least two runs are selected.
    private bool CanCompare => _selected.Count >= 2;

    /// Selects or unselects run <paramref name="runId"/> for Compare (the selection survives filtering).
    private void Toggle(int runId, bool on)
    {
        if (on && !_selected.Contains(runId))
            _selected.Add(runId);
        else if (!on)
            _selected.Remove(runId);
    }

    private void CompareSelected()
    {
        if (CanCompare)
            Navigation.NavigateTo(RunComparisons.PageHref(_selected));
    }

    private Task SetSearchAsync(string? search)
    {
        _search = search;
        return LoadAsync();
    }

    /// Applies live updates: a run not listed yet reloads the list (filters and order apply), then new states replace
    /// listed runs (or drop them when they leave the status filter) and step events move progress bars, in order.
    private async Task ApplyAsync(IReadOnlyList<RunUpdate> batch)
    {
        if (batch.Any(u => u is RunStateUpdate && !_runs.Exists(r => r.Id == u.RunId)))
            await LoadAsync();
        foreach (RunUpdate update in batch)
        {
            int index = _runs.FindIndex(r => r.Id == update.RunId);
            if (index < 0)
                continue;
            switch (update)
            {
                case RunStateUpdate state when _status is JobStatus wanted && state.Run.Status != wanted:
                    _runs.RemoveAt(index);
                    break;
                case RunStateUpdate state:
                    _runs[index] = state.Run;
                    break;
                case RunEventUpdate progress:
                    _runs[index] = _runs[index].WithProgress(progress.Stage, progress.Event);
                    break;
            }
        }
        StateHasChanged();
    }

    /// Redraws once a second while a run is running, so its duration counts up.
    private async Task TickWhileRunningAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ClockInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                if (_runs.Exists(r => r.Status == JobStatus.Running))
                    await InvokeAsync(StateHasChanged);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // the page was closed
        }
    }

    private void OpenRun(RunInfo? run)
    {
        if (run is not null)
            Navigation.NavigateTo($"runs/{run.Id}");
    }

    private TimeSpan DurationKey(RunInfo run) => run.DurationAt(Now) ?? TimeSpan.Zero;

    /// "step 120 / 26610 · ETA 52 min", with the stage of a pipeline (a validation in progress has its own line).
    public static string ProgressText(RunInfo run)
    {
        var parts = new List<string>();
        if (run.StageCount > 1 && run.Stage is { } stage)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{stage} ({run.StageIndex + 1}/{run.StageCount})"));
        if (run.Status == JobStatus.Queued)
            parts.Add("waiting");
        else if (run.ProgressTotal is long total)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"step {run.ProgressStep} / {total}"));
        if (run.Status == JobStatus.Running && run.EtaSeconds is double eta)
            parts.Add($"ETA {DisplayFormat.Seconds(eta)}");
        return string.Join(" · ", parts);
    }

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
