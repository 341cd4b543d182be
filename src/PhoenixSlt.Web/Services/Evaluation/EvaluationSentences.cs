using System.Globalization;
using System.Text;
using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Web.Services.Evaluation;

/// One clip of an evaluation with its sentence scores (GET /api/evaluations/{id}/sentences and the evaluation page).
/// <param name="Index">Position in the split (corpus file order).</param>
/// <param name="SentenceBleu">sacrebleu sentence BLEU (stored with the evaluation).</param>
/// <param name="SentenceChrf">sacrebleu chrF2 of the sentence (computed when read).</param>
public sealed record SentenceDetail(int Index, string Name, string Reference, string Hypothesis, double SentenceBleu, double SentenceChrf);

/// The sentence table of an evaluation and its CSV form.
public static class EvaluationSentences
{
    public const string CsvHeader = "index,name,reference,hypothesis,sentence_bleu,sentence_chrf";

    /// The sentences with their chrF2 added, in the order given.
    public static IReadOnlyList<SentenceDetail> Of(IEnumerable<SentenceResult> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return [.. sentences.Select(s => new SentenceDetail(s.Index, s.Name, s.Reference, s.Hypothesis, s.SentenceBleu,
            ChrfMetric.ChrF.SentenceScore(s.Hypothesis, [s.Reference]).Score))];
    }

    /// <see cref="CsvHeader"/> then one line per sentence: RFC 4180 quoting, scores in invariant culture with full
    /// precision ("R"), '\n' line ends.
    public static string ToCsv(IEnumerable<SentenceDetail> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var s in sentences)
        {
            text.Append(string.Join(',',
                s.Index.ToString(CultureInfo.InvariantCulture), CsvText.Field(s.Name), CsvText.Field(s.Reference), CsvText.Field(s.Hypothesis),
                s.SentenceBleu.ToString("R", CultureInfo.InvariantCulture), s.SentenceChrf.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }
        return text.ToString();
    }
}
