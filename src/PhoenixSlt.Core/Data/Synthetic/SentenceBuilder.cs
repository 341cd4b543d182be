namespace PhoenixSlt.Core.Data.Synthetic;

/// Builds a <see cref="SyntheticSentence"/>: glosses are declared in gloss (DGS) order with
/// <see cref="Unit"/>, then the German words are emitted in German order, each word either attributed to
/// glosses or left unaligned (articles, prepositions, expletive "es", light verbs).
///
/// A unit of several glosses ("REGEN STARK") gets consecutive gloss ids; a word names the gloss it
/// expresses with a suffix: "kräftiger@1 regen" (regen ↔ gloss 0, kräftiger ↔ gloss 1),
/// "schneeregen@0+1" (one word for two glosses), "zwischen@-" (no gloss). Words without a suffix express
/// gloss 0 of the unit.
internal sealed class SentenceBuilder
{
    private readonly List<string> _words = [];
    private readonly List<(string Gloss, List<int> Words)> _glosses = [];

    /// Declares the next glosses (space-separated) in gloss order and returns the id of the first,
    /// or -1 when there are none.
    public int Unit(string glosses)
    {
        int first = _glosses.Count;
        foreach (string g in glosses.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            _glosses.Add((g, []));
        return _glosses.Count > first ? first : -1;
    }

    /// Emits unaligned German words (space-separated; empty is allowed; gloss suffixes are dropped).
    public SentenceBuilder Say(string words) => Say(-1, words);

    /// Emits German words that express glosses of the unit starting at gloss id <paramref name="unit"/>.
    public SentenceBuilder Say(int unit, string words)
    {
        foreach (string token in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (word, offsets) = ParseToken(token);
            if (unit >= 0)
                foreach (int k in offsets)
                    _glosses[unit + k].Words.Add(_words.Count);
            _words.Add(word);
        }
        return this;
    }

    /// "kräftiger@1" → ("kräftiger", [1]); "schneeregen@0+1" → ("schneeregen", [0, 1]); "regen" → ("regen", [0]);
    /// "zwischen@-" → ("zwischen", []) (a function word inside a unit's phrase).
    internal static (string Word, int[] Offsets) ParseToken(string token)
    {
        int at = token.IndexOf('@');
        if (at < 0) return (token, [0]);
        if (token[(at + 1)..] == "-") return (token[..at], []);
        int[] offsets = token[(at + 1)..].Split('+').Select(int.Parse).ToArray();
        return (token[..at], offsets);
    }

    /// The word without its gloss suffix.
    internal static string StripMarker(string token)
    {
        int at = token.IndexOf('@');
        return at < 0 ? token : token[..at];
    }

    public SyntheticSentence Build()
    {
        var links = _glosses.Select((g, i) => new GlossWordLink(i, 1, g.Words.ToArray())).ToArray();
        var words = new List<string>(_words) { "." };
        return new SyntheticSentence(_glosses.Select(g => g.Gloss).ToArray(), words, links);
    }
}
