namespace PhoenixSlt.Core.Checkpoints;

/// What <see cref="VocabularyTrimmer.TrimFolder"/> did.
/// <param name="OutputFolder">Full path of the trimmed model folder.</param>
/// <param name="OriginalVocabSize">Ids before trimming.</param>
/// <param name="KeptVocabSize">Ids after trimming (specials, pieces, language codes, &lt;mask&gt;).</param>
/// <param name="KeptPieces">Vocabulary pieces kept (ids between the specials and the language codes).</param>
/// <param name="KeptLanguages">Language codes kept, in id order.</param>
/// <param name="OriginalParameters">Trainable parameters before (tied embeddings once; final_logits_bias is a buffer).</param>
/// <param name="TrimmedParameters">Trainable parameters after.</param>
/// <param name="Sentences">Corpus sentences tokenized.</param>
/// <param name="UnknownTokens">&lt;unk&gt; ids in the tokenized corpus (characters the SentencePiece model cannot encode).</param>
public sealed record VocabularyTrimReport(
    string OutputFolder,
    int OriginalVocabSize,
    int KeptVocabSize,
    int KeptPieces,
    IReadOnlyList<string> KeptLanguages,
    long OriginalParameters,
    long TrimmedParameters,
    int Sentences,
    int UnknownTokens)
{
    public long SavedParameters => OriginalParameters - TrimmedParameters;

    /// Saved parameters as a fraction of the original count.
    public double SavedFraction => OriginalParameters == 0 ? 0 : (double)SavedParameters / OriginalParameters;
}
