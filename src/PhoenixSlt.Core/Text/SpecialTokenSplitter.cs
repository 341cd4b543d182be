namespace PhoenixSlt.Core.Text;

/// A piece of input text: either plain text to be tokenized, or a special-token literal with its id.
public readonly record struct TextSegment(string Text, int? SpecialId)
{
    public bool IsSpecial => SpecialId.HasValue;
}

/// Splits text on special-token literals the way transformers' slow tokenizers do (added-tokens trie,
/// leftmost then longest match); tokens marked "lstrip" eat the whitespace on their left (mBART's &lt;mask&gt;).
/// Empty text segments are dropped.
public sealed class SpecialTokenSplitter
{
    private readonly Dictionary<string, int> _ids;
    private readonly HashSet<string> _leftStripped;
    private readonly string[] _longestFirst;
    private readonly System.Buffers.SearchValues<char> _firstChars;

    public SpecialTokenSplitter(IReadOnlyDictionary<string, int> tokenIds, IEnumerable<string>? leftStripped = null)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Keys.Any(string.IsNullOrEmpty))
            throw new ArgumentException("special tokens must be non-empty", nameof(tokenIds));
        _ids = new Dictionary<string, int>(tokenIds, StringComparer.Ordinal);
        _leftStripped = new HashSet<string>(leftStripped ?? [], StringComparer.Ordinal);
        _longestFirst = [.. _ids.Keys.OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal)];
        _firstChars = System.Buffers.SearchValues.Create([.. _ids.Keys.Select(t => t[0]).Distinct()]);
    }

    public IReadOnlyList<TextSegment> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = new List<TextSegment>();
        int chunkStart = 0, position = 0;
        while (position < text.Length)
        {
            int candidate = text.AsSpan(position).IndexOfAny(_firstChars);
            if (candidate < 0)
                break;
            position += candidate;
            string? token = MatchAt(text, position);
            if (token is null)
            {
                position++;
                continue;
            }
            AddText(segments, text[chunkStart..position]);
            if (_leftStripped.Contains(token))
                StripLastText(segments);
            segments.Add(new TextSegment(token, _ids[token]));
            position += token.Length;
            chunkStart = position;
        }
        AddText(segments, text[chunkStart..]);
        return segments;
    }

    private string? MatchAt(string text, int position)
    {
        foreach (string token in _longestFirst)
            if (text.AsSpan(position).StartsWith(token, StringComparison.Ordinal))
                return token;
        return null;
    }

    private static void AddText(List<TextSegment> segments, string text)
    {
        if (text.Length > 0)
            segments.Add(new TextSegment(text, null));
    }

    private static void StripLastText(List<TextSegment> segments)
    {
        if (segments.Count == 0 || segments[^1].IsSpecial)
            return;
        string stripped = TrimEndPythonWhitespace(segments[^1].Text);
        if (stripped.Length == 0)
            segments.RemoveAt(segments.Count - 1);
        else
            segments[^1] = new TextSegment(stripped, null);
    }

    // Python's str.rstrip(): .NET whitespace plus the information separators U+001C..U+001F.
    private static string TrimEndPythonWhitespace(string text)
    {
        int end = text.Length;
        while (end > 0 && (char.IsWhiteSpace(text[end - 1]) || text[end - 1] is >= '\u001C' and <= '\u001F'))
            end--;
        return text[..end];
    }
}
