using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Components.Pages.Checkpoints;

public partial class CheckpointsPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<int> _selected = [];
    private List<CheckpointInfo> _checkpoints = [];
    private string? _tagFilter;

    /// The checkpoints carrying the filter's tag (compared case-insensitively, as tags are), or all of them.
    private IEnumerable<CheckpointInfo> Shown => string.IsNullOrWhiteSpace(_tagFilter)
        ? _checkpoints
        : _checkpoints.Where(c => c.Tags.Contains(_tagFilter.Trim(), StringComparer.OrdinalIgnoreCase));
    private List<EvaluationInfo> _evaluations = [];
    private IDisposable? _subscription;
    private bool _loading;
    private string _split = "dev";
    private int _beams = new Training.Specs.RunSpec().Beams;
    private string? _importPath;
    private string? _importError;
    private int? _annotating;

    [Inject] private RunStore Store { get; set; } = null!;
    [Inject] private EvaluationService Evaluations { get; set; } = null!;
    [Inject] private TagService Tags { get; set; } = null!;
    [Inject] private Microsoft.Extensions.Options.IOptions<Options.BeamOptions> Beams { get; set; } = null!;
    [Inject] private EvaluationNotifier Notifier { get; set; } = null!;
    [Inject] private MBartImport Import { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private ILogger<CheckpointsPage> Logger { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// Whether the signed-in user may evaluate and import (operator or admin role).
    private bool _canOperate;

    private string CompareHref => ComparePage.Href(_evaluations.Where(e => _selected.Contains(e.Id)).OrderBy(e => e.Id).Select(e => e.Id));

    protected override async Task OnInitializedAsync()
    {
        _canOperate = PortalAccess.CanOperate(await PortalAccess.UserAsync(AuthenticationState));
        _subscription = Notifier.Subscribe(changed => _ = InvokeAsync(ReloadEvaluationsAsync));
        _loading = true;
        try
        {
            _checkpoints = [.. await Store.ListCheckpointsAsync(cancellationToken: _disposed.Token)];
            _evaluations = [.. await Evaluations.ListAsync(cancellationToken: _disposed.Token)];
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(e, "Listing checkpoints failed");
            Snackbar.Add($"Listing the checkpoints failed: {e.Message}. Reload the page to try again.", Severity.Error);
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task ReloadEvaluationsAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        try
        {
            _evaluations = [.. await Evaluations.ListAsync(cancellationToken: _disposed.Token)];
            StateHasChanged();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(e, "Listing evaluations failed");
        }
    }

    private async Task EvaluateAsync(CheckpointInfo checkpoint)
    {
        if (!_canOperate)
            return;
        var result = await Evaluations.SubmitAsync(checkpoint.Id, new EvaluationRequest { Split = _split, Beams = _beams }, _disposed.Token);
        if (result.Evaluation is EvaluationInfo evaluation)
            Snackbar.Add($"Evaluation #{evaluation.Id} queued: {EvaluationInfo.ShortName(checkpoint.Path)} on {evaluation.Split}, {evaluation.Beams} beam(s).", Severity.Success);
        else
            Snackbar.Add(result.CheckpointMissing ? "The checkpoint is gone; reload the page." : string.Join(" ", result.Errors.Values.SelectMany(v => v)), Severity.Error);
        await ReloadEvaluationsAsync();
    }

    private async Task CancelAsync(EvaluationInfo evaluation)
    {
        if (!_canOperate)
            return;
        var result = await Evaluations.CancelAsync(evaluation.Id, _disposed.Token);
        Snackbar.Add(result.Message, result.Outcome is EvaluationCancelOutcome.Cancelled or EvaluationCancelOutcome.Stopping ? Severity.Info : Severity.Warning);
        await ReloadEvaluationsAsync();
    }

    private async Task ImportAsync()
    {
        if (!_canOperate)
            return;
        _importError = MBartImport.Problem(_importPath);
        if (_importError is not null)
            return;
        var imported = await Import.ImportAsync(_importPath, _disposed.Token);
        _checkpoints = [.. await Store.ListCheckpointsAsync(cancellationToken: _disposed.Token)];
        Snackbar.Add($"Imported {imported.Path} as an mbart checkpoint.", Severity.Success);
    }

    /// Opens (or closes) the tags-and-notes editor under checkpoint <paramref name="id"/>'s row.
    private void ToggleAnnotations(int id) => _annotating = _annotating == id ? null : id;

    private async Task<AnnotationResult> SaveAnnotationsAsync(int id, IReadOnlyList<string> tags, string notes)
    {
        AnnotationResult result = await Tags.AnnotateCheckpointAsync(id, tags, notes, _disposed.Token);
        if (result.Done)
        {
            _checkpoints = [.. await Store.ListCheckpointsAsync(cancellationToken: _disposed.Token)];
            StateHasChanged(); // the editor's callback is not an EventCallback: the page redraws itself
        }
        return result;
    }

    private void Toggle(int id, bool selected)
    {
        if (selected)
            _selected.Add(id);
        else
            _selected.Remove(id);
    }

    public static string MetricsText(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        string[] shown = [MetricNames.Bleu4, MetricNames.SacreBleu, MetricNames.RougeL, MetricNames.Chrf, MetricNames.ValLoss];
        var parts = shown.Where(metrics.ContainsKey).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n} {DisplayFormat.Metric(metrics[n])}"));
        string text = string.Join(" · ", parts);
        return text.Length == 0 ? "–" : text;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
