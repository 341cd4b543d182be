
namespace PhoenixSlt.Core.Text;

/// Which ids of a vocabulary survive trimming: kept ids in ascending original order, so new id i is the i-th kept
/// original id and the leading specials keep ids 0..3. Since the mBART layout is [specials, pieces, language codes,
/// &lt;mask&gt;], the trimmed vocabulary has the same layout (see <see cref="TrimmedTokenizer"/>).
public sealed class VocabularyTrimPlan
{
    private readonly int[] _keptIds;
    private readonly Dictionary<int, int> _newIds;

    private VocabularyTrimPlan(int[] keptIds, int originalVocabSize)
    {
        _keptIds = keptIds;
        OriginalVocabSize = originalVocabSize;
        _newIds = new Dictionary<int, int>(keptIds.Length);
        for (int i = 0; i < keptIds.Length; i++)
            _newIds[keptIds[i]] = i;
    }

    public int OriginalVocabSize { get; }

    /// Original id of each new id (ascending).
    public IReadOnlyList<int> KeptIds => _keptIds;

    /// Size of the trimmed vocabulary.
    public int VocabSize => _keptIds.Length;

    /// A plan keeping <paramref name="keptIds"/> (any order, duplicates ignored) of a vocabulary of
    /// <paramref name="originalVocabSize"/> ids; the leading specials 0..3 are always added.
    /// <see cref="ArgumentOutOfRangeException"/> for ids outside the vocabulary.
    public static VocabularyTrimPlan FromKeptIds(IEnumerable<int> keptIds, int originalVocabSize)
    {
        ArgumentNullException.ThrowIfNull(keptIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(originalVocabSize, SpecialTokens.LeadingCount);
        var set = new SortedSet<int>(Enumerable.Range(0, SpecialTokens.LeadingCount));
        foreach (int id in keptIds)
        {
            if (id < 0 || id >= originalVocabSize)
                throw new ArgumentOutOfRangeException(nameof(keptIds), id, $"token id must be in [0, {originalVocabSize})");
            set.Add(id);
        }
        return new VocabularyTrimPlan([.. set], originalVocabSize);
    }

    /// The GFSLT-VLP recipe: every id of the tokenized <paramref name="sentences"/> (text ids, &lt;/s&gt; and the
    /// language code), the specials &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt; &lt;mask&gt;, de_DE, the
    /// tokenizer's default language, every code in <paramref name="languages"/> and <paramref name="extraIds"/>
    /// (e.g. a model's decoder start token). <see cref="ArgumentException"/> listing the valid codes for an
    /// unknown language.
    public static VocabularyTrimPlan Build(ISltTokenizer tokenizer, IEnumerable<string> sentences,
        IEnumerable<string>? languages = null, IEnumerable<int>? extraIds = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(sentences);
        var codes = new List<string> { SpecialTokens.DefaultLanguage, tokenizer.DefaultLanguage };
        codes.AddRange(languages ?? []);
        var kept = new HashSet<int> { tokenizer.BosId, tokenizer.PadId, tokenizer.EosId, tokenizer.UnkId, tokenizer.MaskId };
        foreach (string code in codes.Distinct(StringComparer.Ordinal))
            kept.Add(tokenizer.LanguageId(code));
        foreach (int id in extraIds ?? [])
            kept.Add(id);
        foreach (string sentence in sentences)
            kept.UnionWith(tokenizer.Encode(sentence, SpecialTokens.DefaultLanguage));
        return FromKeptIds(kept, tokenizer.VocabSize);
    }

    public bool Keeps(int originalId) => _newIds.ContainsKey(originalId);

    public bool TryGetNewId(int originalId, out int newId) => _newIds.TryGetValue(originalId, out newId);

    /// New id of a kept original id; <see cref="ArgumentException"/> when it was trimmed away.
    public int NewId(int originalId)
        => _newIds.TryGetValue(originalId, out int id) ? id
            : throw new ArgumentException($"token id {originalId} was trimmed away (the trimmed vocabulary keeps {VocabSize} of {OriginalVocabSize} ids)", nameof(originalId));

    /// New id of <paramref name="originalId"/>, or &lt;unk&gt; (3) when it was trimmed away.
    public int NewIdOrUnknown(int originalId) => _newIds.TryGetValue(originalId, out int id) ? id : SpecialTokens.UnkId;

    /// Original id of a new id.
    public int OriginalId(int newId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(newId, VocabSize);
        return _keptIds[newId];
    }
}
