using System.Text;

namespace PhoenixSlt.Core.Text;

/// SentencePiece's built-in normalisation rules rebuilt from .NET's Unicode tables, for models saved without
/// a precompiled character map. "nfkc": NFKC. "nmt_nfkc": NFKC plus the NMT rules of sentencepiece's
/// builder.cc (BuildNmtNFKCMap): ASCII control characters removed, tab/newline/zero-width and other
/// whitespace-like characters mapped to a space (not ZERO WIDTH JOINER), FULLWIDTH TILDE left alone. "_cf" variants also lowercase.
internal sealed class NmtNfkcRules
{
    private readonly bool _nfkc;
    private readonly bool _nmt;
    private readonly bool _caseFold;

    private NmtNfkcRules(bool nfkc, bool nmt, bool caseFold)
    {
        _nfkc = nfkc;
        _nmt = nmt;
        _caseFold = caseFold;
    }

    /// Rules for a NormalizerSpec name; null for "identity"; <see cref="InvalidDataException"/> for unknown names.
    public static NmtNfkcRules? ForRuleName(string name) => name switch
    {
        "identity" => null,
        "nfkc" => new(nfkc: true, nmt: false, caseFold: false),
        "nmt_nfkc" or "" => new(nfkc: true, nmt: true, caseFold: false),
        "nfkc_cf" => new(nfkc: true, nmt: false, caseFold: true),
        "nmt_nfkc_cf" => new(nfkc: true, nmt: true, caseFold: true),
        _ => throw new InvalidDataException(
            $"normalization rule '{name}' has no precompiled character map and is not a built-in rule"),
    };

    /// The normalised text cut into the pieces sentencepiece's compiled map matches (builder.cc BuildNFKCMap):
    /// single characters replaced by their NFKC form, and sequences whose characters each decompose (NFKD) to one
    /// character and together spell the NFKD of one character, replaced by that character
    /// (e.g. "e\u0301" → "é", "Ａ\u0308" → "Ä"; "ï\u0301" is not such a sequence and stays two pieces).
    public List<string> Apply(string text)
    {
        var runes = new List<Rune>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (_nmt && IsRemovedControl(rune.Value))
                continue;
            runes.Add(_nmt && IsWhitespaceLike(rune.Value) ? new Rune(' ') : rune);
        }

        var chunks = new List<string>(runes.Count);
        for (int i = 0; i < runes.Count;)
        {
            int length = ComposableLength(runes, i, out string composed);
            chunks.Add(MapCharacter(composed));
            i += length;
        }
        return chunks;
    }

    private const int MaxSequence = 4;

    // Longest run starting at `start` (2..MaxSequence runes) that the compiled map would compose into one
    // character, returned in `composed`; 1 (and the rune itself) when there is none.
    private static int ComposableLength(List<Rune> runes, int start, out string composed)
    {
        composed = runes[start].ToString();
        if (start + 1 >= runes.Count || !CanCombine(runes[start + 1]))
            return 1;
        for (int length = Math.Min(MaxSequence, runes.Count - start); length >= 2; length--)
        {
            string? decomposed = SingleCharacterDecompositions(runes, start, length);
            if (decomposed is null)
                continue;
            string candidate = decomposed.Normalize(NormalizationForm.FormC);
            if (Rune.TryGetRuneAt(candidate, 0, out Rune single) && single.Utf16SequenceLength == candidate.Length
                && candidate.Normalize(NormalizationForm.FormKD) == decomposed)
            {
                composed = candidate;
                return length;
            }
        }
        return 1;
    }

    // Concatenated NFKD of runes[start..start+length), or null when one of them does not decompose to one character.
    private static string? SingleCharacterDecompositions(List<Rune> runes, int start, int length)
    {
        var builder = new StringBuilder(length * 2);
        for (int i = start; i < start + length; i++)
        {
            string nfkd = runes[i].ToString().Normalize(NormalizationForm.FormKD);
            if (!Rune.TryGetRuneAt(nfkd, 0, out Rune single) || single.Utf16SequenceLength != nfkd.Length)
                return null;
            builder.Append(nfkd);
        }
        return builder.ToString();
    }

    // True when the compatibility decomposition of `rune` is a combining mark or a Hangul medial vowel / final
    // consonant (jamo that compose with what precedes them); a cheap filter before trying compositions.
    private static bool CanCombine(Rune rune)
    {
        string nfkd = rune.ToString().Normalize(NormalizationForm.FormKD);
        if (!Rune.TryGetRuneAt(nfkd, 0, out Rune decomposed))
            return false;
        return Rune.GetUnicodeCategory(decomposed) is System.Globalization.UnicodeCategory.NonSpacingMark
                   or System.Globalization.UnicodeCategory.SpacingCombiningMark
                   or System.Globalization.UnicodeCategory.EnclosingMark
               || decomposed.Value is >= 0x1160 and <= 0x11FF;
    }

    private string MapCharacter(string character)
    {
        // FULLWIDTH TILDE (U+FF5E) is excluded from nmt_nfkc: it and "~" are used differently in Japanese.
        string mapped = !_nfkc || (_nmt && character == "\uFF5E") ? character : character.Normalize(NormalizationForm.FormKC);
        return _caseFold ? mapped.ToLowerInvariant() : mapped;
    }

    private static bool IsRemovedControl(int c) =>
        c is (>= 0x01 and <= 0x08) or 0x0B or (>= 0x0E and <= 0x1F) or 0x7F or 0x8F or 0x9F;

    private static bool IsWhitespaceLike(int c) =>
        c is 0x09 or 0x0A or 0x0C or 0x0D or 0x1680 or 0x200B or 0x200C or 0x200E or 0x200F or 0x2028 or 0x2029
            or 0x2581 or 0xFEFF or 0xFFFD;
}
