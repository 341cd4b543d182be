namespace PhoenixSlt.Core.Data.Synthetic;

/// One synthetic sentence: a DGS-like gloss sequence (the `orth` column), the German translation
/// (lowercase, sentence-final " ." split off like real PHOENIX-2014-T text) and which glosses express
/// which words.
public sealed record SyntheticSentence(
    IReadOnlyList<string> Glosses,
    IReadOnlyList<string> Words,
    IReadOnlyList<GlossWordLink> Links)
{
    /// The `orth` column: glosses separated by single spaces.
    public string Orth => string.Join(' ', Glosses);

    /// The `translation` column: words separated by single spaces, ending in " .".
    public string Translation => string.Join(' ', Words);

    /// True when the meaning units appear in a different order in the glosses than in the German words
    /// (units are compared by their first word; units without words are ignored).
    public bool IsReordered
    {
        get
        {
            int last = -1;
            foreach (var link in Links)
            {
                if (link.WordIndices.Count == 0) continue;
                int first = link.WordIndices.Min();
                if (first < last) return true;
                last = first;
            }
            return false;
        }
    }
}

/// A meaning unit: glosses [GlossStart, GlossStart + GlossCount) express the words at WordIndices.
/// Either side may be empty (a pointing gloss has no word; an article has no gloss and is in no link).
public sealed record GlossWordLink(int GlossStart, int GlossCount, IReadOnlyList<int> WordIndices);
