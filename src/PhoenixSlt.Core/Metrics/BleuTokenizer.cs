using System.Globalization;
using System.Text;

namespace PhoenixSlt.Core.Metrics;

/// <summary>The BLEU tokenizers of sacrebleu 2.6.0 that this project supports.</summary>
public enum BleuTokenizer
{
    /// <summary><c>13a</c>: mteval-v13a.pl, sacrebleu's default.</summary>
    Mteval13a,

    /// <summary><c>intl</c>: mteval-v14 international tokenization (Unicode punctuation and symbols).</summary>
    International,

    /// <summary><c>none</c>: no tokenization; the text is only split on whitespace.</summary>
    None,
}

/// <summary>
/// sacrebleu 2.6.0's <c>13a</c>, <c>intl</c> and <c>none</c> tokenizers. Each regex pass of the reference is
/// reproduced as one non-overlapping left-to-right scan over Unicode code points, the way Python's
/// <c>re.sub</c> walks the string: a character consumed as the context of one match cannot start the next.
/// </summary>
public static class BleuTokenizers
{
    /// <summary>The names sacrebleu uses (<c>--tokenize</c> values and signature <c>tok:</c> field).</summary>
    public static IReadOnlyList<string> Names { get; } = ["13a", "intl", "none"];

    /// <summary>The sacrebleu name of <paramref name="tokenizer"/>: <c>13a</c>, <c>intl</c> or <c>none</c>.</summary>
    public static string Name(this BleuTokenizer tokenizer) => tokenizer switch
    {
        BleuTokenizer.Mteval13a => "13a",
        BleuTokenizer.International => "intl",
        BleuTokenizer.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer, "unknown BLEU tokenizer"),
    };

    /// <summary>Parses a sacrebleu tokenizer name (<c>13a</c>, <c>intl</c>, <c>none</c>).</summary>
    /// <exception cref="ArgumentException">The name is not one of the supported tokenizers.</exception>
    public static BleuTokenizer Parse(string name) => name switch
    {
        "13a" => BleuTokenizer.Mteval13a,
        "intl" => BleuTokenizer.International,
        "none" => BleuTokenizer.None,
        _ => throw new ArgumentException(
            $"Unknown BLEU tokenizer '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Tokenizes one line with <paramref name="tokenizer"/>; the result is single-space separated.</summary>
    public static string Tokenize(string line, BleuTokenizer tokenizer) => tokenizer switch
    {
        BleuTokenizer.Mteval13a => Tokenize13a(line),
        BleuTokenizer.International => TokenizeInternational(line),
        BleuTokenizer.None => line,
        _ => throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer, "unknown BLEU tokenizer"),
    };

    /// <summary>
    /// mteval-v13a: drop <c>&lt;skipped&gt;</c> and <c>-\n</c>, turn <c>\n</c> into a space, unescape
    /// <c>&amp;quot; &amp;amp; &amp;lt; &amp;gt;</c>, pad the line with one space on each side, then split off
    /// ASCII punctuation; <c>.</c> and <c>,</c> stay inside numbers (<c>20,5</c>, <c>1.000</c>), <c>-</c> is
    /// split only after a digit (<c>5-7</c> → <c>5 - 7</c>).
    /// </summary>
    public static string Tokenize13a(string line)
    {
        line = line.Replace("<skipped>", "", StringComparison.Ordinal)
                   .Replace("-\n", "", StringComparison.Ordinal)
                   .Replace("\n", " ", StringComparison.Ordinal);
        if (line.Contains('&', StringComparison.Ordinal))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                       .Replace("&amp;", "&", StringComparison.Ordinal)
                       .Replace("&lt;", "<", StringComparison.Ordinal)
                       .Replace("&gt;", ">", StringComparison.Ordinal);
        }

        int[] points = PythonText.CodePoints($" {line} ");
        points = PadSingles(points, Is13aSeparated);                          // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
        points = PadPairs(points, c => !IsAsciiDigit(c), IsPeriodOrComma, PairLayout.SpaceAfterEach);  // ([^0-9])([\.,]) -> "\1 \2 "
        points = PadPairs(points, IsPeriodOrComma, c => !IsAsciiDigit(c), PairLayout.SpaceBeforeEach); // ([\.,])([^0-9]) -> " \1 \2"
        points = PadPairs(points, IsAsciiDigit, c => c == '-', PairLayout.SpaceAfterEach);             // ([0-9])(-) -> "\1 \2 "
        return PythonText.CollapseWhitespace(FromCodePoints(points));
    }

    /// <summary>
    /// mteval-v14 international: pad punctuation (P*) preceded by a non-number, then punctuation followed by a
    /// non-number, then every symbol (S*). Unlike 13a the line is not padded, so a number followed by a final
    /// <c>.</c> stays attached (mteval-v14's quirk), and HTML entities are left alone.
    /// </summary>
    public static string TokenizeInternational(string line)
    {
        int[] points = PythonText.CodePoints(line);
        points = PadPairs(points, c => !IsNumber(c), IsPunctuation, PairLayout.SpaceAfterEach);  // (\P{N})(\p{P}) -> "\1 \2 "
        points = PadPairs(points, IsPunctuation, c => !IsNumber(c), PairLayout.SpaceBeforeEach); // (\p{P})(\P{N}) -> " \1 \2"
        points = PadSingles(points, IsSymbol);                                                   // (\p{S}) -> " \1 "
        return PythonText.CollapseWhitespace(FromCodePoints(points));
    }

    private enum PairLayout
    {
        /// <summary>Replacement <c>\1 \2 </c>.</summary>
        SpaceAfterEach,

        /// <summary>Replacement <c> \1 \2</c>.</summary>
        SpaceBeforeEach,
    }

    // One pass of re.sub(r'(A)', r' \1 ', line).
    private static int[] PadSingles(int[] points, Func<int, bool> matches)
    {
        var result = new List<int>(points.Length * 2);
        foreach (int c in points)
        {
            if (matches(c)) result.AddRange([' ', c, ' ']);
            else result.Add(c);
        }
        return [.. result];
    }

    // One pass of re.sub(r'(A)(B)', replacement, line) for single-character classes A and B.
    private static int[] PadPairs(int[] points, Func<int, bool> first, Func<int, bool> second, PairLayout layout)
    {
        var result = new List<int>(points.Length * 2);
        int i = 0;
        while (i < points.Length)
        {
            if (i + 1 < points.Length && first(points[i]) && second(points[i + 1]))
            {
                if (layout == PairLayout.SpaceAfterEach) result.AddRange([points[i], ' ', points[i + 1], ' ']);
                else result.AddRange([' ', points[i], ' ', points[i + 1]]);
                i += 2;
            }
            else
            {
                result.Add(points[i]);
                i++;
            }
        }
        return [.. result];
    }

    private static string FromCodePoints(int[] points)
    {
        var builder = new StringBuilder(points.Length);
        foreach (int c in points) builder.AppendCodePoint(c);
        return builder.ToString();
    }

    private static bool IsAsciiDigit(int c) => c is >= '0' and <= '9';

    private static bool IsPeriodOrComma(int c) => c is '.' or ',';

    // The 13a class [\{-\~\[-\` -\&\(-\+\:-\@\/]: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
    private static bool Is13aSeparated(int c) =>
        c is (>= '{' and <= '~') or (>= '[' and <= '`') or (>= ' ' and <= '&') or (>= '(' and <= '+')
            or (>= ':' and <= '@') or '/';

    private static UnicodeCategory Category(int c) => CharUnicodeInfo.GetUnicodeCategory(c);

    private static bool IsNumber(int c) => Category(c) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsPunctuation(int c) => Category(c) is UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
        or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
        or UnicodeCategory.OtherPunctuation;

    private static bool IsSymbol(int c) => Category(c) is UnicodeCategory.MathSymbol
        or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
}
