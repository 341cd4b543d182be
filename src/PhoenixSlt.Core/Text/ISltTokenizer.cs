namespace PhoenixSlt.Core.Text;

/// A tokenizer with the mBART id layout (see <see cref="SpecialTokens"/>), used by the models, the trainers
/// and the CLI. Implementations: <see cref="MBartTokenizer"/> (pretrained SentencePiece model) and
/// <see cref="CorpusTokenizer"/> (word vocabulary built from a training corpus).
/// Implementations are immutable and safe to use from several threads.
public interface ISltTokenizer
{
    /// Short name of the tokenizer kind, e.g. "sentencepiece" or "corpus-words".
    string Kind { get; }

    /// Number of ids, including the special tokens, the language codes and &lt;mask&gt;.
    int VocabSize { get; }

    int BosId { get; }
    int PadId { get; }
    int EosId { get; }
    int UnkId { get; }
    int MaskId { get; }

    /// The language used when none is given (de_DE for PHOENIX).
    string DefaultLanguage { get; }

    /// Language codes with ids, in id order.
    IReadOnlyList<string> LanguageCodes { get; }

    /// Id of a language code such as "de_DE"; <see cref="ArgumentException"/> (listing the valid codes) if unknown.
    int LanguageId(string languageCode);

    bool TryGetLanguageId(string languageCode, out int id);

    /// Ids of <paramref name="text"/> followed by [&lt;/s&gt;, language]. With <paramref name="maxLength"/>,
    /// text ids are cut so that the whole sequence (suffix included) has at most that many ids.
    IReadOnlyList<int> Encode(string text, string? language = null, int? maxLength = null);

    /// Encodes every text and right-pads with <see cref="PadId"/> to the longest one.
    TokenBatch EncodeBatch(IReadOnlyList<string> texts, string? language = null, int? maxLength = null);

    /// Text of <paramref name="ids"/>. With <paramref name="skipSpecialTokens"/> every special id
    /// (&lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt; &lt;mask&gt; and language codes) is dropped.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for ids outside [0, VocabSize).
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// Token string of one id (a vocabulary piece, a special token or a language code).
    string IdToToken(int id);

    /// True for &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt; &lt;mask&gt; and language codes.
    bool IsSpecial(int id);

    /// Writes the files needed to load this tokenizer again into <paramref name="directory"/>
    /// (see <see cref="TokenizerFactory.Load"/>); returns the path of the written file.
    string SaveTo(string directory);
}
