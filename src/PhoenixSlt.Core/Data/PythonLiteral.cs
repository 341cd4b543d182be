using System.Globalization;
using System.Text;

namespace PhoenixSlt.Core.Data;

/// Parses the subset of Python literal syntax used in .npy headers — dicts, tuples, lists, strings,
/// integers, True/False/None — without evaluating anything. Tuples and lists become List&lt;object?&gt;,
/// dicts Dictionary&lt;string, object?&gt; (string keys only), integers long, None null.
internal sealed class PythonLiteral
{
    private const int MaxDepth = 16;
    private readonly string _text;
    private int _pos;

    private PythonLiteral(string text) => _text = text;

    /// Parses one literal that must span the whole text (surrounding whitespace allowed).
    /// Throws <see cref="FormatException"/> with the position of the first error.
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        object? value = parser.ParseValue(0);
        parser.SkipSpace();
        if (parser._pos != text.Length)
            throw parser.Error("unexpected text after the literal");
        return value;
    }

    private object? ParseValue(int depth)
    {
        if (depth > MaxDepth)
            throw Error("nesting is too deep");
        SkipSpace();
        if (_pos >= _text.Length)
            throw Error("unexpected end of text");
        char c = _text[_pos];
        return c switch
        {
            '{' => ParseDict(depth),
            '(' => ParseSequence(')', depth),
            '[' => ParseSequence(']', depth),
            '\'' or '"' => ParseString(),
            _ when c == '-' || c == '+' || char.IsAsciiDigit(c) => ParseInteger(),
            _ when char.IsAsciiLetter(c) => ParseKeyword(),
            _ => throw Error($"unexpected character '{c}'"),
        };
    }

    private Dictionary<string, object?> ParseDict(int depth)
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        _pos++; // {
        while (true)
        {
            SkipSpace();
            if (TryConsume('}'))
                return dict;
            if (ParseValue(depth + 1) is not string key)
                throw Error("dictionary keys must be strings");
            SkipSpace();
            Expect(':');
            object? value = ParseValue(depth + 1);
            if (!dict.TryAdd(key, value))
                throw Error($"key '{key}' appears twice");
            SkipSpace();
            if (TryConsume('}'))
                return dict;
            Expect(',');
        }
    }

    private List<object?> ParseSequence(char close, int depth)
    {
        var items = new List<object?>();
        _pos++; // ( or [
        while (true)
        {
            SkipSpace();
            if (TryConsume(close))
                return items;
            items.Add(ParseValue(depth + 1));
            SkipSpace();
            if (TryConsume(close))
                return items;
            Expect(',');
        }
    }

    private string ParseString()
    {
        char quote = _text[_pos++];
        var sb = new StringBuilder();
        while (_pos < _text.Length)
        {
            char c = _text[_pos++];
            if (c == quote)
                return sb.ToString();
            if (c == '\n')
                break;
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _text.Length)
                break;
            char e = _text[_pos++];
            sb.Append(e switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                _ => e, // \\, \', \" and anything else stand for themselves
            });
        }
        throw Error("string is never closed");
    }

    private long ParseInteger()
    {
        int start = _pos;
        if (_text[_pos] is '-' or '+')
            _pos++;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '_'))
            _pos++;
        string digits = _text[start.._pos].Replace("_", "", StringComparison.Ordinal);
        if (_pos < _text.Length && _text[_pos] is 'L' or 'l')
            _pos++; // Python 2 long suffix, written by old numpy versions
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error($"'{digits}' is not an integer in range");
        return value;
    }

    private object? ParseKeyword()
    {
        int start = _pos;
        while (_pos < _text.Length && char.IsAsciiLetterOrDigit(_text[_pos]))
            _pos++;
        return _text[start.._pos] switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            string word => throw Error($"'{word}' is not a literal (only True, False and None are allowed)"),
        };
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            _pos++;
    }

    private bool TryConsume(char c)
    {
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
            throw Error(_pos < _text.Length ? $"expected '{c}' but found '{_text[_pos]}'" : $"expected '{c}' but the text ended");
    }

    private FormatException Error(string what) => new($"{what} at character {_pos}");
}
