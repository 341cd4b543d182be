using System.Globalization;
using System.Text;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Translation;

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

    /// Decoding time of the batch the clip was decoded in, and the clips of that batch.
    public double? BatchDecodeMs { get; private set; }
    public int BatchClips { get; private set; } = 1;
    public double? SentenceBleu { get; private set; }
    public string? Error { get; private set; }

    public bool IsDone => Hypothesis is not null || Error is not null;

    /// The clip's decoding time: its own when it was decoded alone, else its share of its batch's time.
    public double? DecodeMs => BatchDecodeMs / BatchClips;

    /// Whether <see cref="DecodeMs"/> is a share of a batch's time rather than the clip's own.
    public bool IsBatchShare => BatchClips > 1;

    /// The time column: "812" for a clip decoded alone, "≈ 162" for a share of a batch decoded together.
    public string DecodeText => DecodeMs is double ms
        ? (IsBatchShare ? "≈ " : "") + ms.ToString("F0", CultureInfo.InvariantCulture)
        : "";

    public void Complete(TranslationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Hypothesis = result.Hypothesis;
        Glosses = result.Glosses;
        Frames = result.Frames;
        BatchDecodeMs = result.BatchDecodeMs;
        BatchClips = Math.Max(1, result.BatchClips);
        SentenceBleu = Reference is null ? null : BleuMetric.SentenceScore(result.Hypothesis, [Reference]).Score;
    }

    public void Fail(string error) => Error = error;

    /// The rows as CSV (name, hypothesis, reference, sentence_bleu, frames, decode_ms, batch_clips), RFC 4180 quoting;
    /// decode_ms is the clip's own decoding time when batch_clips is 1, else its share of the batch's time.
    public static string ToCsv(IEnumerable<TranslateRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new StringBuilder("name,hypothesis,reference,sentence_bleu,frames,decode_ms,batch_clips\n");
        foreach (var r in rows)
            csv.Append(string.Join(',', Quote(r.Name), Quote(r.Hypothesis ?? ""), Quote(r.Reference ?? ""),
                r.SentenceBleu?.ToString("F2", CultureInfo.InvariantCulture) ?? "", r.Frames?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.DecodeMs?.ToString("F1", CultureInfo.InvariantCulture) ?? "",
                r.IsDone && r.Error is null ? r.BatchClips.ToString(CultureInfo.InvariantCulture) : "")).Append('\n');
        return csv.ToString();
    }

    private static string Quote(string value) => Services.CsvText.Field(value);
}
