using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Components.Pages.Checkpoints;

public partial class ComparePage : IDisposable
{
    private static readonly string[] ChartLabels = ["BLEU-1", "BLEU-4", "sacreBLEU", "ROUGE-L", "chrF"];

    private readonly CancellationTokenSource _disposed = new();
    private List<EvaluationInfo> _completed = [];
    private List<int> _picked = [];
    private EvaluationComparison? _comparison;
    private List<ChartSeries<double>> _chartSeries = [];
    private string? _problem;

    [Inject] private EvaluationService Evaluations { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private ILogger<ComparePage> Logger { get; set; } = null!;

    /// Evaluation ids to compare, e.g. "1,2".
    [SupplyParameterFromQuery(Name = "evaluations")]
    public string? EvaluationIds { get; set; }

    public static string Href(IEnumerable<int> ids) => "checkpoints/compare?evaluations=" + string.Join(',', ids);

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _completed = [.. (await Evaluations.ListAsync(cancellationToken: _disposed.Token)).Where(e => e.Status == JobStatus.Completed).OrderBy(e => e.Id)];
            _picked = [.. Api.CheckpointsApi.ParseIds(EvaluationIds) ?? []];
            if (_picked.Count >= 2)
                await LoadAsync();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(e, "Loading evaluations failed");
            _problem = $"Loading the evaluations failed: {e.Message}. Reload the page to try again.";
        }
    }

    private async Task CompareAsync()
    {
        Navigation.NavigateTo(Href(_picked), replace: true);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var found = await Evaluations.GetManyAsync(_picked, _disposed.Token);
        _problem = found.Count != _picked.Count
            ? $"Evaluation(s) {string.Join(", ", _picked.Except(found.Select(f => f.Evaluation.Id)))} do not exist; pick others."
            : ComparisonBuilder.Problem(found);
        if (_problem is not null)
        {
            _comparison = null;
            return;
        }
        // 1000 resamples and 10,000 trials over a few hundred clips: a fraction of a second; off the circuit's thread.
        _comparison = await Task.Run(() => ComparisonBuilder.Build(found), _disposed.Token);
        _chartSeries = ChartSeriesOf(_comparison);
    }

    public static List<ChartSeries<double>> ChartSeriesOf(EvaluationComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return [.. comparison.Systems.Select(s => new ChartSeries<double>
        {
            Name = s.Evaluation.Label,
            Data = new ChartData<double>([s.Evaluation.Bleu1 ?? 0, s.Evaluation.Bleu4 ?? 0, s.Evaluation.SacreBleu ?? 0, s.Evaluation.RougeL ?? 0, s.Evaluation.Chrf ?? 0]),
        })];
    }

    /// A p-value with four decimals and " *" when below the significance level; "–" for the baseline (null).
    public static string PValueText(double? pValue) =>
        pValue is double p ? Fixed(p, "0.0000") + (p < Core.Metrics.PairedBootstrapComparison.SignificanceLevel ? " *" : "") : "–";

    private static string Fixed(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
