namespace PhoenixSlt.Web.Data;

/// One clip of an evaluation (table "evaluation_sentences"): reference, hypothesis and sentence BLEU.
public sealed class EvaluationSentence
{
    public int Id { get; set; }

    public int EvaluationId { get; set; }

    /// Position in the split (corpus file order).
    public int Index { get; set; }

    /// The clip's name in the corpus.
    public string Name { get; set; } = "";

    public string Reference { get; set; } = "";
    public string Hypothesis { get; set; } = "";

    /// sacrebleu 2.6.0 sentence BLEU (effective order).
    public double SentenceBleu { get; set; }
}
