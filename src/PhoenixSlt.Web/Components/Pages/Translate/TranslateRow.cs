using System.Globalization;
using System.Text;
using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Web.Components.Pages.Translate;

/// One clip on the Translate page: its reference when the sample is known, and the result once decoded.
public sealed class TranslateRow(string name, string? reference)
{
    public string Name { get; } = name;
    public string? Reference { get; } = reference;
    public string? Hypothesis { get; private set; }

    /// Glosses recognised by a checkpoint with a gloss head; null otherwise.
    public string? Glosses { get; private set; }
    public int? Frames { get; private set; }
    public double? Ms { get; private set; }
    public double? SentenceBleu { get; private set; }
    public string? Error { get; private set; }

    public void Complete(string hypothesis, int frames, double ms, string? glosses = null)
    {
        Hypothesis = hypothesis;
        Glosses = glosses;
        Frames = frames;
        Ms = ms;
        SentenceBleu = Reference is null ? null : BleuMetric.SentenceScore(hypothesis, [Reference]).Score;
    }

    public void Fail(string error) => Error = error;

    /// The rows as CSV (name, hypothesis, reference, sentence_bleu, frames, ms), RFC 4180 quoting.
    public static string ToCsv(IEnumerable<TranslateRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new StringBuilder("name,hypothesis,reference,sentence_bleu,frames,ms\n");
        foreach (var r in rows)
            csv.Append(string.Join(',', Quote(r.Name), Quote(r.Hypothesis ?? ""), Quote(r.Reference ?? ""),
                r.SentenceBleu?.ToString("F2", CultureInfo.InvariantCulture) ?? "", r.Frames?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.Ms?.ToString("F1", CultureInfo.InvariantCulture) ?? "")).Append('\n');
        return csv.ToString();
    }

    private static string Quote(string value)
        => value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
