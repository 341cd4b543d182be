namespace PhoenixSlt.Core.Text;

/// Id layout and sequence handling shared by the tokenizers: [&lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;],
/// vocabulary pieces, language codes, &lt;mask&gt;; sequences are text ids + [&lt;/s&gt;, language].
public abstract class SltTokenizerBase : ISltTokenizer
{
    private readonly string[] _languageCodes;
    private readonly Dictionary<string, int> _languageIds;

    /// <param name="firstLanguageId">Id of the first language code (= number of ids before it).</param>
    protected SltTokenizerBase(int firstLanguageId, IReadOnlyList<string> languageCodes, string defaultLanguage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstLanguageId, SpecialTokens.LeadingCount);
        ArgumentNullException.ThrowIfNull(languageCodes);
        ArgumentNullException.ThrowIfNull(defaultLanguage);
        FirstLanguageId = firstLanguageId;
        _languageCodes = [.. languageCodes];
        _languageIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _languageCodes.Length; i++)
            if (!_languageIds.TryAdd(_languageCodes[i], firstLanguageId + i))
                throw new ArgumentException($"language code '{_languageCodes[i]}' is listed twice", nameof(languageCodes));
        if (!_languageIds.ContainsKey(defaultLanguage))
            throw new ArgumentException(UnknownLanguageMessage(defaultLanguage), nameof(defaultLanguage));
        DefaultLanguage = defaultLanguage;

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < SpecialTokens.Leading.Count; i++)
            specials[SpecialTokens.Leading[i]] = i;
        foreach (var (code, id) in _languageIds)
            specials[code] = id;
        specials[SpecialTokens.Mask] = MaskId;
        SpecialTokenIds = specials;
        // As in transformers' MBartTokenizer: <mask> strips the whitespace on its left.
        Splitter = new SpecialTokenSplitter(specials, [SpecialTokens.Mask]);
    }

    public abstract string Kind { get; }

    /// Id of the first language code; vocabulary pieces occupy [LeadingCount, FirstLanguageId).
    public int FirstLanguageId { get; }

    public int VocabSize => MaskId + 1;
    public int BosId => SpecialTokens.BosId;
    public int PadId => SpecialTokens.PadId;
    public int EosId => SpecialTokens.EosId;
    public int UnkId => SpecialTokens.UnkId;
    public int MaskId => FirstLanguageId + _languageCodes.Length;
    public string DefaultLanguage { get; }
    public IReadOnlyList<string> LanguageCodes => _languageCodes;

    /// Every special-token literal (leading tokens, language codes, &lt;mask&gt;) with its id.
    public IReadOnlyDictionary<string, int> SpecialTokenIds { get; }

    /// Splits input text on special-token literals before the text parts are tokenized.
    private SpecialTokenSplitter Splitter { get; }

    public int LanguageId(string languageCode) =>
        TryGetLanguageId(languageCode, out int id)
            ? id
            : throw new ArgumentException(UnknownLanguageMessage(languageCode), nameof(languageCode));

    public bool TryGetLanguageId(string languageCode, out int id)
    {
        ArgumentNullException.ThrowIfNull(languageCode);
        return _languageIds.TryGetValue(languageCode, out id);
    }

    public IReadOnlyList<int> Encode(string text, string? language = null, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        int languageId = LanguageId(language ?? DefaultLanguage);
        if (maxLength is int max)
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 2, nameof(maxLength));
        List<int> ids = EncodeText(text);
        if (maxLength is int limit && ids.Count > limit - 2)
            ids.RemoveRange(limit - 2, ids.Count - (limit - 2));
        ids.Add(EosId);
        ids.Add(languageId);
        return ids;
    }

    public TokenBatch EncodeBatch(IReadOnlyList<string> texts, string? language = null, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new IReadOnlyList<int>[texts.Count];
        for (int i = 0; i < texts.Count; i++)
            rows[i] = Encode(texts[i], language, maxLength);
        return TokenBatch.FromRows(rows, PadId);
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return JoinTokens(TokensOf(ids, skipSpecialTokens));
    }

    /// Token strings of <paramref name="ids"/>, special ones left out when <paramref name="skipSpecialTokens"/>.
    protected List<string> TokensOf(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        var tokens = new List<string>();
        foreach (int id in ids)
        {
            CheckId(id);
            if (!skipSpecialTokens || !IsSpecial(id))
                tokens.Add(IdToToken(id));
        }
        return tokens;
    }

    public string IdToToken(int id)
    {
        CheckId(id);
        if (id < SpecialTokens.LeadingCount)
            return SpecialTokens.Leading[id];
        if (id == MaskId)
            return SpecialTokens.Mask;
        if (id >= FirstLanguageId)
            return _languageCodes[id - FirstLanguageId];
        return PieceToken(id);
    }

    public bool IsSpecial(int id) => id < SpecialTokens.LeadingCount || id >= FirstLanguageId;

    public abstract string SaveTo(string directory);

    /// Ids of the text alone (no suffix): special-token literals become their ids, the text between them is
    /// encoded chunk by chunk with <see cref="AppendTextIds"/>.
    private List<int> EncodeText(string text)
    {
        var ids = new List<int>();
        foreach (var segment in Splitter.Split(text))
        {
            if (segment.SpecialId is int special)
                ids.Add(special);
            else
                AppendTextIds(segment.Text, ids);
        }
        return ids;
    }

    /// Appends the ids of one chunk of plain text (no special-token literals in it).
    protected abstract void AppendTextIds(string text, List<int> ids);

    /// Token string of a vocabulary piece id in [LeadingCount, FirstLanguageId).
    protected abstract string PieceToken(int id);

    /// Text of a sequence of token strings (special tokens already removed when skipped).
    protected abstract string JoinTokens(IReadOnlyList<string> tokens);

    private void CheckId(int id)
    {
        if (id < 0 || id >= VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id must be in [0, {VocabSize})");
    }

    private string UnknownLanguageMessage(string code) =>
        $"unknown language code '{code}'; valid codes: {string.Join(", ", _languageCodes)}";
}
