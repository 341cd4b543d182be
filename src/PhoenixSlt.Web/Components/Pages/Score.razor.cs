using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Scoring;

namespace PhoenixSlt.Web.Components.Pages;

public partial class Score
{
    /// Largest text file accepted by the upload buttons.
    public const long MaxUploadBytes = 10 * 1024 * 1024;

    private readonly TextInput _hypotheses = new("hypotheses", "Hypotheses", "system output, one sentence per line", required: true);
    private readonly TextInput _references = new("references", "Reference", "reference translations, one per line", required: true);
    private readonly TextInput _secondReferences = new("references2", "Second reference (optional)",
        "optional: a second reference per line (blank line = none)", required: false);
    private readonly SettingsModel _settings = new();
    private IReadOnlyList<TextInput> _fields = [];
    private List<string> _errors = [];
    private ScoreReport? _report;
    private bool _busy;

    [Inject] private ILogger<Score> Logger { get; set; } = null!;

    protected override void OnInitialized() => _fields = [_hypotheses, _references, _secondReferences];

    private async Task ScoreAsync()
    {
        _errors = [];
        _report = null;
        ScoreInputResult parsed = ScoreInputParser.Parse(_hypotheses.Text, _references.Text, _secondReferences.Text);
        if (!parsed.IsValid)
        {
            _errors = [.. parsed.Errors];
            return;
        }
        _busy = true;
        try
        {
            ScoreSettings settings = _settings.ToSettings();
            _report = await Task.Run(() => ScoreCalculator.Compute(parsed.Input!, settings));
        }
        catch (ArgumentException ex)
        {
            Logger.LogWarning(ex, "Scoring rejected the input");
            _errors = [$"The input cannot be scored: {ex.Message}"];
        }
        finally
        {
            _busy = false;
        }
    }

    private void Clear()
    {
        foreach (TextInput field in _fields)
            field.Text = "";
        _errors = [];
        _report = null;
    }

    private async Task UploadAsync(TextInput field, IBrowserFile? file)
    {
        if (file is null)
            return;
        try
        {
            await using Stream stream = file.OpenReadStream(MaxUploadBytes);
            using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
            field.Text = await reader.ReadToEndAsync();
            _errors = [];
        }
        catch (IOException ex)
        {
            Logger.LogWarning(ex, "Upload of {File} failed", file.Name);
            _errors = [$"{file.Name}: could not be read ({ex.Message}). Upload a plain UTF-8 text file of at most {MaxUploadBytes / (1024 * 1024)} MB, one sentence per line."];
        }
    }

    private static string LineCountText(TextInput field)
    {
        int lines = ScoreInputParser.SplitLines(field.Text).Count;
        return lines == 0 ? (field.Required ? "required" : "optional") : $"{lines} line{(lines == 1 ? "" : "s")}";
    }

    /// Scores as sacrebleu prints them: two decimals, invariant culture.
    internal static string Fixed(double value) => PythonFormat.Fixed(value, 2);

    private static IEnumerable<MetricCard> Cards(ScoreReport report)
    {
        MetricSuiteResult m = report.Metrics;
        yield return new MetricCard("chrf", m.Chrf.Name, Fixed(m.Chrf.Score), "sacrebleu");
        yield return new MetricCard("chrfpp", m.ChrfPlusPlus.Name, Fixed(m.ChrfPlusPlus.Score), "sacrebleu, word order 2");
        yield return new MetricCard("rouge-l", "ROUGE-L", Fixed(m.RougeL.Score), "SLT definition, β = 1.2");
        yield return new MetricCard("slt-bleu1", "BLEU-1", Fixed(m.Slt.Bleu1), "SLT (signjoey)");
        yield return new MetricCard("slt-bleu2", "BLEU-2", Fixed(m.Slt.Bleu2), "SLT (signjoey)");
        yield return new MetricCard("slt-bleu3", "BLEU-3", Fixed(m.Slt.Bleu3), "SLT (signjoey)");
        yield return new MetricCard("slt-bleu4", "BLEU-4", Fixed(m.Slt.Bleu4), "SLT (signjoey)");
    }

    private sealed class TextInput(string id, string label, string placeholder, bool required)
    {
        public string Id { get; } = id;
        public string Label { get; } = label;
        public string Placeholder { get; } = placeholder;
        public bool Required { get; } = required;
        public string Text { get; set; } = "";
    }

    private sealed record MetricCard(string Id, string Name, string Value, string Note);

    /// Mutable form state bound to the option controls.
    private sealed class SettingsModel
    {
        public BleuTokenizer Tokenize { get; set; } = BleuTokenizer.Mteval13a;
        public bool Lowercase { get; set; }
        public BleuSmoothing Smoothing { get; set; } = BleuSmoothing.Exp;
        public double? SmoothValue { get; set; }

        public ScoreSettings ToSettings() => new(Tokenize, Lowercase, Smoothing, SmoothValue);
    }
}
