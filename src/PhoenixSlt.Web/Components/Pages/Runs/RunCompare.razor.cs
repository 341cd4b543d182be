using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// /runs/compare?ids=1,2,3: runs side by side (<see cref="RunComparison"/>). The page's model is public for the
/// chart section: <see cref="Comparison"/> (settings, metrics, parallel-coordinates rows) and <see cref="Curves"/>.
public partial class RunCompare : IDisposable
{
    /// The metrics whose curves are loaded for the overlaid charts.
    public static IReadOnlyList<string> CurveMetrics { get; } =
        [MetricNames.Loss, MetricNames.ValLoss, MetricNames.Bleu4, MetricNames.GlossWer, MetricNames.VisualToTextTop1, MetricNames.TextToVisualTop1];

    private readonly CancellationTokenSource _disposed = new();
    private string? _loadedIds;
    private string? _problem;
    private bool _differencesOnly;

    [SupplyParameterFromQuery(Name = "ids")] public string? Ids { get; set; }

    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private ILogger<RunCompare> Logger { get; set; } = null!;

    /// The comparison shown, null while loading or when the ids are not comparable.
    public RunComparison? Comparison { get; private set; }

    /// Every compared run's curves of <see cref="CurveMetrics"/> (per stage), in the runs' order.
    public IReadOnlyList<RunCurve> Curves { get; private set; } = [];

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedIds == Ids && (Comparison is not null || _problem is not null))
            return;
        _loadedIds = Ids;
        Comparison = null;
        _problem = null;
        try
        {
            ComparisonLoad load = await RunComparisons.LoadAsync(Store, Ids, _disposed.Token);
            if (load.Comparison is not { } comparison)
            {
                _problem = load.Problem;
                return;
            }
            var curves = new List<RunCurve>();
            foreach (ComparedRun run in comparison.Runs)
            {
                var points = await Store.GetMetricsAsync(run.Id, [.. CurveMetrics], _disposed.Token);
                curves.AddRange(RunCurves.Of(run.Id, run.Name, points));
            }
            Curves = curves;
            Comparison = comparison;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(ex, "Comparing runs {Ids} failed", Ids);
            _problem = $"Loading the runs failed: {ex.Message}.";
            Snackbar.Add($"Loading the runs failed: {ex.Message}. Reload the page to try again.", Severity.Error);
        }
    }

    private void SetDifferencesOnly(bool on) => _differencesOnly = on;

    /// "3 of 52 settings differ".
    public static string DifferenceText(RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        int differing = comparison.Settings.Count(s => s.Differs);
        return string.Create(CultureInfo.InvariantCulture, $"{differing} of {comparison.Settings.Count} settings differ");
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
