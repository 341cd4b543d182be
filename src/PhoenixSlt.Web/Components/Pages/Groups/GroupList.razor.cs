using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Groups;

/// The run groups, newest first, with their status counts and best setting; reloaded when a member run changes
/// state (groups have no events of their own).
public partial class GroupList : IDisposable
{
    /// Live updates reload the list at most this often.
    public static readonly TimeSpan RenderInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<RunGroupInfo> _groups = [];
    private UpdateThrottle<RunUpdate>? _throttle;
    private IDisposable? _subscription;
    private bool _loading;
    private readonly List<int> _selected = [];

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    private bool IsSelected(int id) => _selected.Contains(id);

    private void Toggle(int id, bool on)
    {
        _selected.Remove(id);
        if (on)
            _selected.Add(id);
    }

    private void CompareSelected() => Navigation.NavigateTo(GroupComparison.PageHref(_selected));

    [Inject] private RunGroupService Groups { get; set; } = null!;
    [Inject] private RunNotifier Notifier { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private ILogger<GroupList> Logger { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _throttle = new UpdateThrottle<RunUpdate>(RenderInterval, batch => InvokeAsync(() => ApplyAsync(batch)));
        _subscription = Notifier.Subscribe(update =>
        {
            if (update is RunStateUpdate { Run.GroupId: not null })
                _throttle?.Post(update);
        });
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _groups = await Groups.ListAsync(cancellationToken: _disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Listing run groups failed");
            Snackbar.Add($"Listing the groups failed: {ex.Message}. Reload the page to try again.", Severity.Error);
        }
        finally
        {
            _loading = false;
        }
    }

    /// A member's status or best result changed (or a new group's runs appeared): reload.
    private async Task ApplyAsync(IReadOnlyList<RunUpdate> batch)
    {
        bool changed = batch.OfType<RunStateUpdate>().Any(s =>
            _groups.FirstOrDefault(g => g.Id == s.Run.GroupId)?.Runs.FirstOrDefault(r => r.Id == s.Run.Id) is not { } known
            || known.Status != s.Run.Status || !Nullable.Equals(known.BestBleu4, s.Run.BestBleu4));
        if (!changed)
            return;
        await LoadAsync();
        StateHasChanged();
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _throttle?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
