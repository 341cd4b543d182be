using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Services.Evaluation;

namespace PhoenixSlt.Web.Components.Pages.Evaluations;

/// One evaluation: its checkpoint, split, beams and scores, and every sentence (sortable, filterable by text) with a
/// CSV download (GET /api/evaluations/{id}/sentences?format=csv). Reloads when the evaluation's status changes.
public partial class EvaluationPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private EvaluationDetails? _details;
    private IReadOnlyList<SentenceDetail> _sentences = [];
    private string? _filter;
    private string? _problem;
    private IDisposable? _subscription;

    [Inject] private EvaluationService Evaluations { get; set; } = null!;
    [Inject] private EvaluationNotifier Updates { get; set; } = null!;
    [Inject] private ILogger<EvaluationPage> Logger { get; set; } = null!;

    [Parameter] public int Id { get; set; }

    /// The page of evaluation <paramref name="id"/> (relative to the base href).
    public static string Href(int id) => string.Create(CultureInfo.InvariantCulture, $"evaluations/{id}");

    /// The CSV download of evaluation <paramref name="id"/>'s sentences.
    public static string CsvHref(int id) => string.Create(CultureInfo.InvariantCulture, $"api/evaluations/{id}/sentences?format=csv");

    /// "evaluation-3-dev-beam4.csv".
    public static string CsvFileName(EvaluationInfo evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return string.Create(CultureInfo.InvariantCulture, $"evaluation-{evaluation.Id}-{evaluation.Split}-beam{evaluation.Beams}.csv");
    }

    /// True when <paramref name="filter"/> is empty or occurs (ignoring case) in the sentence's name, reference or
    /// hypothesis as shown (an empty hypothesis reads "(empty output)").
    public static bool Matches(SentenceDetail sentence, string? filter)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        if (string.IsNullOrWhiteSpace(filter))
            return true;
        string text = filter.Trim();
        return sentence.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
            || sentence.Reference.Contains(text, StringComparison.OrdinalIgnoreCase)
            || ModelOutput.Display(sentence.Hypothesis).Contains(text, StringComparison.OrdinalIgnoreCase);
    }

    private bool Matches(SentenceDetail sentence) => Matches(sentence, _filter);

    protected override void OnInitialized()
    {
        _subscription = Updates.Subscribe(evaluation =>
        {
            if (evaluation?.Id == Id)
                _ = InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
        });
    }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            _details = await Evaluations.GetAsync(Id, _disposed.Token);
            if (_details is null)
            {
                _problem = $"Evaluation {Id} does not exist; pick one on the Checkpoints page.";
                _sentences = [];
                return;
            }
            _problem = null;
            var sentences = _details.Sentences;
            // chrF of a few hundred sentences: milliseconds; off the circuit's thread anyway.
            _sentences = await Task.Run(() => EvaluationSentences.Of(sentences), _disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException)
        {
            Logger.LogWarning(e, "Loading evaluation {Id} failed", Id);
            _problem = $"Loading evaluation {Id} failed: {e.Message}. Reload the page to try again.";
        }
    }

    private static string Fixed(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
