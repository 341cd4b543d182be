using System.Text;

namespace PhoenixSlt.Core.Text;

/// SentencePiece's text normaliser (sentencepiece normalizer.cc, Normalizer::Normalize): character rules
/// from the model's precompiled map (for nmt_nfkc: NFKC plus the NMT whitespace/control-character rules),
/// leading/trailing/repeated whitespace removal, the dummy "▁" prefix and escaping of spaces as "▁".
/// Microsoft.ML.Tokenizers does not apply the character rules, so the tokenizer normalises with this class
/// and hands the result to the BPE model as-is.
public sealed class SentencePieceTextNormalizer
{
    /// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
    public const char SpaceSymbol = '\u2581';

    private readonly PrecompiledCharsMap? _charsMap;
    private readonly NmtNfkcRules? _fallbackRules;
    private readonly SentencePieceNormalizerSpec _spec;
    private readonly bool _treatWhitespaceAsSuffix;

    private SentencePieceTextNormalizer(SentencePieceNormalizerSpec spec, bool treatWhitespaceAsSuffix,
        PrecompiledCharsMap? charsMap, NmtNfkcRules? fallbackRules)
    {
        _spec = spec;
        _treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        _charsMap = charsMap;
        _fallbackRules = fallbackRules;
    }

    /// True when character rules come from the model's precompiled map (exact sentencepiece behaviour);
    /// false when they are rebuilt from .NET's NFKC (models saved without a map) or there are none (identity).
    public bool UsesPrecompiledMap => _charsMap is not null;

    /// Normaliser described by a model's NormalizerSpec. Uses the precompiled map when present; otherwise
    /// rebuilds the named built-in rule ("nfkc", "nmt_nfkc", their "_cf" case-folding variants, "identity").
    public static SentencePieceTextNormalizer FromSpec(SentencePieceNormalizerSpec spec, bool treatWhitespaceAsSuffix = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.PrecompiledCharsMap.Length > 0)
            return new(spec, treatWhitespaceAsSuffix, PrecompiledCharsMap.Parse(spec.PrecompiledCharsMap), null);
        return new(spec, treatWhitespaceAsSuffix, null, NmtNfkcRules.ForRuleName(spec.Name));
    }

    /// Same rules rebuilt from .NET's NFKC even when the spec carries a precompiled map
    /// (used to check that both paths agree).
    public static SentencePieceTextNormalizer FromRuleName(SentencePieceNormalizerSpec spec, bool treatWhitespaceAsSuffix = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(spec, treatWhitespaceAsSuffix, null, NmtNfkcRules.ForRuleName(spec.Name));
    }

    /// Normalised text ready for the subword model, e.g. "  Am  Montag " -> "▁Am▁Montag".
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = MapCharacters(text);
        int start = 0;
        if (_spec.RemoveExtraWhitespaces)
            while (start < chunks.Count && chunks[start] == " ")
                start++;
        if (start == chunks.Count)
            return "";

        var output = new StringBuilder(text.Length + 8);
        string space = _spec.EscapeWhitespaces ? SpaceSymbol.ToString() : " ";
        if (!_treatWhitespaceAsSuffix && _spec.AddDummyPrefix)
            output.Append(space);

        bool isPrevSpace = _spec.RemoveExtraWhitespaces;
        for (int i = start; i < chunks.Count; i++)
        {
            ReadOnlySpan<char> piece = chunks[i];
            while (isPrevSpace && piece.Length > 0 && piece[0] == ' ')
                piece = piece[1..];
            if (piece.Length > 0)
            {
                foreach (char c in piece)
                    output.Append(_spec.EscapeWhitespaces && c == ' ' ? SpaceSymbol : c);
                isPrevSpace = piece[^1] == ' ';
            }
            if (!_spec.RemoveExtraWhitespaces)
                isPrevSpace = false;
        }

        if (_spec.RemoveExtraWhitespaces)
            while (output.Length > 0 && output[^1] == space[0])
                output.Length--;
        if (_treatWhitespaceAsSuffix && _spec.AddDummyPrefix)
            output.Append(space);
        return output.ToString();
    }

    /// The text cut into consecutive pieces, each replaced by its character rule (Normalizer::NormalizePrefix).
    private List<string> MapCharacters(string text)
    {
        if (_charsMap is null)
            return _fallbackRules?.Apply(text) ?? SplitRunes(text);

        var chunks = new List<string>();
        ReadOnlySpan<byte> utf8 = Encoding.UTF8.GetBytes(text);
        while (!utf8.IsEmpty)
        {
            if (_charsMap.TryMatchLongest(utf8, out int length, out string replacement))
            {
                chunks.Add(replacement);
                utf8 = utf8[length..];
                continue;
            }
            // No rule: copy one character (the UTF-8 came from a .NET string, so it is well formed).
            System.Buffers.OperationStatus status = Rune.DecodeFromUtf8(utf8, out Rune rune, out int consumed);
            chunks.Add(status == System.Buffers.OperationStatus.Done ? rune.ToString() : "\uFFFD");
            utf8 = utf8[Math.Max(consumed, 1)..];
        }
        return chunks;
    }

    internal static List<string> SplitRunes(string text)
    {
        var runes = new List<string>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
            runes.Add(rune.ToString());
        return runes;
    }
}
