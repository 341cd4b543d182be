namespace PhoenixSlt.Core.Text;

/// The special-token layout shared by every tokenizer of the product (mBART / fairseq convention):
/// &lt;s&gt;=0, &lt;pad&gt;=1, &lt;/s&gt;=2, &lt;unk&gt;=3, then the vocabulary pieces, then the 25 mBART-cc25
/// language codes, then &lt;mask&gt;. Sequences end with [&lt;/s&gt;, language code] (no prefix token).
public static class SpecialTokens
{
    public const string Bos = "<s>";
    public const string Pad = "<pad>";
    public const string Eos = "</s>";
    public const string Unk = "<unk>";
    public const string Mask = "<mask>";

    public const int BosId = 0;
    public const int PadId = 1;
    public const int EosId = 2;
    public const int UnkId = 3;

    /// Number of ids before the first vocabulary piece (&lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;).
    public const int LeadingCount = 4;

    /// Target language of PHOENIX-2014-T.
    public const string DefaultLanguage = "de_DE";

    /// mBART-cc25 language codes in fairseq order (transformers' FAIRSEQ_LANGUAGE_CODES).
    public static IReadOnlyList<string> FairseqLanguageCodes { get; } =
    [
        "ar_AR", "cs_CZ", "de_DE", "en_XX", "es_XX", "et_EE", "fi_FI", "fr_XX", "gu_IN", "hi_IN", "it_IT",
        "ja_XX", "kk_KZ", "ko_KR", "lt_LT", "lv_LV", "my_MM", "ne_NP", "nl_XX", "ro_RO", "ru_RU", "si_LK",
        "tr_TR", "vi_VN", "zh_CN",
    ];

    /// The four leading special tokens, indexed by id.
    public static IReadOnlyList<string> Leading { get; } = [Bos, Pad, Eos, Unk];
}
