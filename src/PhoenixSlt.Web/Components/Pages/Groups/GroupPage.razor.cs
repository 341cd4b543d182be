using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Groups;

/// A run group: its definition, notes, the settings sorted by dev BLEU-4 (mean ± sd over the seeds), the member runs
/// with live progress, the ablation's two arms, and the data of the curve bands. Groups have no events of their own:
/// the page follows its members' run updates (<see cref="RunNotifier"/>) and reloads the group when one changes state.
public partial class GroupPage : IDisposable
{
    /// Live updates are drawn at most this often.
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _disposed = new();
    private UpdateThrottle<RunUpdate>? _throttle;
    private IDisposable? _subscription;
    private int? _loadedId;
    private bool _notFound;
    private bool _busy;
    private bool _canOperate;
    private string? _notes;
    private bool _notesDirty;
    private List<RunInfo> _runs = [];

    [Parameter] public int Id { get; set; }

    [Inject] private RunGroupService Groups { get; set; } = null!;
    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private RunNotifier Notifier { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private ILogger<GroupPage> Logger { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// The group as last loaded (null before loading or when it does not exist).
    public RunGroupInfo? Group { get; private set; }

    /// The curve bands per setting, stage and metric (mean ± sd over the setting's runs at each step), from the
    /// members' stored metric points; reloaded with the group when a member changes state.
    public IReadOnlyList<SettingBand> Bands { get; private set; } = [];

    /// A sweep's runs compared (for the parallel-coordinates view), null for other kinds.
    public RunComparison? Sweep { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        _throttle = new UpdateThrottle<RunUpdate>(RenderInterval, batch => InvokeAsync(() => ApplyAsync(batch)));
        // every run's updates: the page picks its members' (a group's runs are created with it, so the ids are known)
        _subscription = Notifier.Subscribe(update => _throttle?.Post(update));
        _canOperate = PortalAccess.CanOperate(await PortalAccess.UserAsync(AuthenticationState));
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedId == Id)
            return;
        _loadedId = Id;
        await LoadAsync(withCurves: true);
        _notes = Group?.Notes;
        _notesDirty = false;
    }

    private async Task LoadAsync(bool withCurves)
    {
        try
        {
            RunGroupInfo? group = await Groups.GetAsync(Id, _disposed.Token);
            _notFound = group is null;
            Group = group;
            _runs = group is null ? [] : [.. group.Runs];
            if (group is not null && withCurves)
            {
                Bands = await GroupView.LoadBandsAsync(Store, group, _disposed.Token);
                // a sweep's settings vs dev BLEU-4 over all its runs
                Sweep = group.Kind == RunGroupKinds.Sweep && group.Runs.Count > 1
                    ? await RunComparisons.OfRunsAsync(Store, [.. group.Runs.Select(r => r.Id)], _disposed.Token) : null;
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Loading group {GroupId} failed", Id);
            Snackbar.Add($"Loading group {Id} failed: {ex.Message}. Reload the page to try again.", Severity.Error);
        }
    }

    /// Applies member updates: progress events move the members' bars; a member whose status or best result changed
    /// reloads the group (summary, counts, curves).
    private async Task ApplyAsync(IReadOnlyList<RunUpdate> batch)
    {
        if (Group is null)
            return;
        bool reload = false;
        foreach (RunUpdate update in batch)
        {
            int index = _runs.FindIndex(r => r.Id == update.RunId);
            if (index < 0)
                continue;
            switch (update)
            {
                case RunStateUpdate state:
                    RunInfo before = _runs[index];
                    reload |= state.Run.Status != before.Status || state.Run.BestCheckpoint != before.BestCheckpoint
                              || !Nullable.Equals(state.Run.BestMetricValue, before.BestMetricValue);
                    _runs[index] = state.Run;
                    break;
                case RunEventUpdate progress:
                    _runs[index] = _runs[index].WithProgress(progress.Stage, progress.Event);
                    break;
            }
        }
        if (reload)
            await LoadAsync(withCurves: true);
        StateHasChanged();
    }

    private async Task CancelGroupAsync()
    {
        if (!_canOperate || Group is null)
            return;
        _busy = true;
        try
        {
            IReadOnlyList<int>? stopped = await Groups.CancelAsync(Group.Id);
            Snackbar.Add(stopped is null ? $"Group {Id} does not exist." : stopped.Count == 0 ? "No run of the group was queued or running."
                : $"Asked {stopped.Count} run(s) to stop.", stopped is { Count: > 0 } ? Severity.Success : Severity.Warning);
            await LoadAsync(withCurves: false);
        }
        finally
        {
            _busy = false;
        }
    }

    private void SetNotes(string? notes)
    {
        _notes = notes;
        _notesDirty = (notes ?? "") != (Group?.Notes ?? "");
    }

    private async Task SaveNotesAsync()
    {
        if (!_canOperate || Group is null)
            return;
        if (await Groups.SetNotesAsync(Group.Id, _notes))
        {
            await LoadAsync(withCurves: false);
            _notes = Group?.Notes;
            _notesDirty = false;
            Snackbar.Add("Notes saved.", Severity.Success);
        }
        else
            Snackbar.Add($"Group {Id} does not exist any more.", Severity.Warning);
    }

    /// The member's setting for people.
    private static string SettingOf(RunInfo run) => GroupView.Label(run.GroupLabel ?? "");

    public void Dispose()
    {
        _subscription?.Dispose();
        _throttle?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
