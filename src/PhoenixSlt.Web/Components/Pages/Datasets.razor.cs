using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Components.Pages;

public partial class Datasets : IDisposable
{
    /// Problems listed on the page; the rest are counted.
    public const int MaxProblemsShown = 50;

    private readonly BarChartOptions _chartOptions = new() { ShowLegend = false, YAxisTicks = 5 };
    private IReadOnlyList<DatasetEntry> _datasets = [];
    private DatasetEntry? _selected;
    private DatasetOverview? _overview;
    private SampleInfo? _selectedSample;
    private string _split = DatasetLayout.Splits[0];
    private string? _search;
    private string? _error;
    private bool _loading;
    private InspectionProgress? _fullProgress;
    private volatile bool _disposed;

    [Parameter] public string? Name { get; set; }

    [Inject] private DatasetCatalog Catalog { get; set; } = null!;
    [Inject] private DatasetOverviewCache Cache { get; set; } = null!;
    [Inject] private PhoenixPaths Paths { get; set; } = null!;
    [Inject] private ILogger<Datasets> Logger { get; set; } = null!;

    protected override async Task OnParametersSetAsync()
    {
        _datasets = Catalog.List();
        DatasetEntry? wanted = _datasets.FirstOrDefault(d => d.Name == Name)
                               ?? _datasets.FirstOrDefault(d => d.Name == Paths.DefaultDataset)
                               ?? _datasets.FirstOrDefault();
        if (Name is not null && _datasets.All(d => d.Name != Name))
            _error = $"There is no dataset '{Name}' under {Catalog.DataRoot}; showing {wanted?.Name ?? "nothing"} instead.";
        if (wanted != _selected || _overview is null)
            await LoadAsync(wanted, refresh: false);
    }

    private async Task OnBootstrapFinishedAsync(BootstrapStatus status)
    {
        _datasets = Catalog.List();
        if (_selected is null || _overview is null)
            await LoadAsync(_datasets.FirstOrDefault(d => d.Name == Paths.DefaultDataset) ?? _datasets.FirstOrDefault(), refresh: true);
    }

    private async Task SelectDatasetAsync(string name)
        => await LoadAsync(_datasets.FirstOrDefault(d => d.Name == name), refresh: false);

    private Task RefreshAsync()
    {
        _datasets = Catalog.List();
        return LoadAsync(_selected, refresh: true);
    }

    private async Task LoadAsync(DatasetEntry? dataset, bool refresh)
    {
        _selected = dataset;
        _selectedSample = null;
        if (dataset is null)
        {
            _overview = null;
            return;
        }
        _loading = true;
        try
        {
            _overview = Cache.CachedFull(dataset.Path) is { } full && !refresh
                ? full
                : await Cache.GetAsync(dataset.Path, refresh);
            if (_error?.StartsWith("Inspecting", StringComparison.Ordinal) == true)
                _error = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PhoenixDataException)
        {
            Logger.LogWarning(ex, "Inspecting {Dataset} failed", dataset.Path);
            _overview = null;
            _error = $"Inspecting {dataset.Path} failed: {ex.Message}. Check that the folder is readable, then press Refresh.";
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task FullCheckAsync()
    {
        if (_selected is not { } dataset)
            return;
        _fullProgress = new InspectionProgress(DatasetLayout.Splits[0], 0, 0);
        DateTime lastUpdate = DateTime.MinValue;
        var progress = new CallbackProgress<InspectionProgress>(p =>
        {
            if (_disposed || (DateTime.UtcNow - lastUpdate < TimeSpan.FromMilliseconds(200) && p.Done != p.Total))
                return;
            lastUpdate = DateTime.UtcNow;
            _ = InvokeAsync(() =>
            {
                if (_fullProgress is not null)
                    _fullProgress = p;
                StateHasChanged();
            });
        });
        try
        {
            _overview = await Cache.GetFullAsync(dataset.Path, progress, refresh: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PhoenixDataException)
        {
            Logger.LogWarning(ex, "Full check of {Dataset} failed", dataset.Path);
            _error = $"Inspecting {dataset.Path} (full check) failed: {ex.Message}. Check that the files are readable, then try again.";
        }
        finally
        {
            _fullProgress = null;
        }
    }

    /// The full check keeps running (its result is cached); this page just stops listening.
    public void Dispose() => _disposed = true;

    private void SelectSplit(string split)
    {
        _split = split;
        _selectedSample = null;
    }

    private void SelectSample(SampleInfo? info) => _selectedSample = info;

    private string SampleRowClass(SampleInfo info, int index)
        => ReferenceEquals(info, _selectedSample) ? "selected-sample" : "";

    private bool MatchesSearch(SampleInfo info)
    {
        if (string.IsNullOrWhiteSpace(_search))
            return true;
        string q = _search.Trim();
        return info.Sample.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
               || info.Sample.Translation.Contains(q, StringComparison.OrdinalIgnoreCase)
               || info.Sample.Orth.Contains(q, StringComparison.OrdinalIgnoreCase);
    }

    private IEnumerable<HistogramView> Histograms(DatasetOverview overview)
    {
        SplitReport? split = overview.Report.Splits.FirstOrDefault(s => s.Split == _split);
        if (split is null)
            yield break;
        yield return HistogramView.Of($"Keypoint frames ({_split})", split.KeypointFrameHistogram);
        yield return HistogramView.Of($"SigLIP frames ({_split})", split.SiglipFrameHistogram);
    }

    private static string StatsText(FrameStats? stats)
        => stats is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{stats.Min} / {stats.Mean:F1} / {stats.Max}");

    private static string Percent(double? ratio)
        => ratio is double r ? string.Create(CultureInfo.InvariantCulture, $"{100 * r:F1}%") : "–";

    private static string Or(string? text) => string.IsNullOrEmpty(text) ? "–" : text;

    /// A frame-length histogram ready for MudChart: one bar series, each bar labelled with its lowest frame count
    /// (the title gives the bin width).
    public sealed record HistogramView(string Title, List<ChartSeries<double>> Series, string[] Labels)
    {
        public static HistogramView Of(string title, IReadOnlyList<HistogramBin> bins) => new(
            bins.Count == 0 ? title : string.Create(CultureInfo.InvariantCulture, $"{title}, bins of {bins[0].Upper - bins[0].Lower}"),
            [new ChartSeries<double> { Name = "samples", Data = new ChartData<double>([.. bins.Select(b => (double)b.Count)]) }],
            [.. bins.Select(b => b.Lower.ToString(CultureInfo.InvariantCulture))]);
    }
}
