using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Groups;

/// /groups/compare?ids=1,2: groups side by side (<see cref="GroupComparison"/>), each setting of each group a column
/// with mean ± sd, and the settings' curves as bands on shared charts.
public partial class GroupCompare : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private string? _loadedIds;
    private string? _problem;

    [SupplyParameterFromQuery(Name = "ids")] public string? Ids { get; set; }

    [Inject] private RunGroupService Groups { get; set; } = null!;
    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private ILogger<GroupCompare> Logger { get; set; } = null!;

    public GroupComparison? Comparison { get; private set; }

    /// Each group's bands, named "#id setting" on the shared charts.
    public IReadOnlyList<(RunGroupInfo Group, IReadOnlyList<SettingBand> Bands)> Bands { get; private set; } = [];

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedIds == Ids && (Comparison is not null || _problem is not null))
            return;
        _loadedIds = Ids;
        Comparison = null;
        _problem = null;
        try
        {
            var (comparison, problem, _) = await GroupComparison.LoadAsync(Groups, Ids, _disposed.Token);
            if (comparison is null)
            {
                _problem = problem;
                return;
            }
            var bands = new List<(RunGroupInfo, IReadOnlyList<SettingBand>)>();
            foreach (RunGroupInfo group in comparison.Groups)
                bands.Add((group, await GroupView.LoadBandsAsync(Store, group, _disposed.Token)));
            Bands = bands;
            Comparison = comparison;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Comparing groups {Ids} failed", Ids);
            _problem = $"Loading the groups failed: {ex.Message}.";
        }
    }

    /// The series of <paramref name="metric"/> of every group: each setting's band, its name prefixed by the group.
    private IReadOnlyList<MetricSeries> Series(string metric)
        => [.. Bands.SelectMany(g => GroupView.ChartSeries(g.Bands, metric).Select(s => s with { Name = $"#{g.Group.Id} {s.Name}" }))];

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
