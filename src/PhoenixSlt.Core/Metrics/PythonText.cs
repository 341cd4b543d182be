using System.Globalization;
using System.Text;

namespace PhoenixSlt.Core.Metrics;

/// <summary>
/// The Python 3 string operations that sacrebleu and the SLT scorers are built on, with their exact
/// semantics: <c>str.split()</c> / <c>strip()</c> / <c>rstrip()</c> whitespace (every character for which
/// <c>str.isspace()</c> is true, e.g. tab, NBSP U+00A0, U+3000 and the separators U+001C–U+001F, which
/// <see cref="char.IsWhiteSpace(char)"/> does not include), <c>str.split(" ")</c>, and the full Unicode
/// <c>str.lower()</c> (final sigma, İ → i + U+0307).
/// </summary>
public static class PythonText
{
    /// <summary>True for the characters Python's <c>str.isspace()</c> accepts (Unicode 14, CPython 3.11).</summary>
    public static bool IsWhitespace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,          // \t \n \v \f \r
        >= '\u001C' and <= '\u001F' => true,  // file/group/record/unit separators
        ' ' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Python <c>s.split()</c>: splits on runs of whitespace and drops empty pieces.</summary>
    public static List<string> Split(string s)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsWhitespace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsWhitespace(s[i])) i++;
            if (i > start) parts.Add(s[start..i]);
        }
        return parts;
    }

    /// <summary>Python <c>s.split(" ")</c>: splits on every single space; <c>""</c> gives <c>[""]</c>.</summary>
    public static string[] SplitOnSpace(string s) => s.Split(' ');

    /// <summary>Python <c>' '.join(s.split())</c>: trims and collapses whitespace runs to one space.</summary>
    public static string CollapseWhitespace(string s) => string.Join(' ', Split(s));

    /// <summary>Python <c>''.join(s.split())</c>: removes every whitespace character.</summary>
    public static string RemoveWhitespace(string s) => string.Concat(Split(s));

    /// <summary>Python <c>s.rstrip()</c>.</summary>
    public static string RStrip(string s)
    {
        int end = s.Length;
        while (end > 0 && IsWhitespace(s[end - 1])) end--;
        return s[..end];
    }

    /// <summary>Python <c>s.strip()</c>.</summary>
    public static string Strip(string s)
    {
        int start = 0;
        while (start < s.Length && IsWhitespace(s[start])) start++;
        return RStrip(s[start..]);
    }

    /// <summary>
    /// The Unicode code points of <paramref name="s"/> (Python's view of a string). A lone surrogate is kept as
    /// its own code point, as Python keeps it.
    /// </summary>
    public static int[] CodePoints(string s)
    {
        var points = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                points.Add(char.ConvertToUtf32(s[i], s[i + 1]));
                i++;
            }
            else
            {
                points.Add(s[i]);
            }
        }
        return [.. points];
    }

    /// <summary>Appends one code point (as a surrogate pair when it lies above the BMP).</summary>
    public static StringBuilder AppendCodePoint(this StringBuilder builder, int codePoint) =>
        codePoint > 0xFFFF ? builder.Append(char.ConvertFromUtf32(codePoint)) : builder.Append((char)codePoint);

    /// <summary>
    /// Python <c>str.lower()</c>: the full lowercase mapping. Differs from <see cref="string.ToLowerInvariant()"/>
    /// in three ways that matter for scoring: capital sigma at the end of a word becomes final sigma ς,
    /// İ (U+0130) becomes i + combining dot above (two code points), and casing is per code point (astral
    /// letters included).
    /// </summary>
    public static string Lower(string s)
    {
        int[] points = CodePoints(s);
        var builder = new StringBuilder(s.Length);
        for (int i = 0; i < points.Length; i++)
        {
            int c = points[i];
            if (c == 0x03A3)
                builder.Append(IsFinalSigma(points, i) ? 'ς' : 'σ');
            else if (c == 0x0130)
                builder.Append("i\u0307");
            else
                builder.AppendCodePoint(LowerSimple(c));
        }
        return builder.ToString();
    }

    private static int LowerSimple(int c) =>
        Rune.IsValid(c) ? Rune.ToLowerInvariant(new Rune(c)).Value : c;

    // Unicode Final_Sigma: \p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased}), as CPython checks it.
    private static bool IsFinalSigma(int[] points, int index)
    {
        int j = index - 1;
        while (j >= 0 && IsCaseIgnorable(points[j])) j--;
        if (j < 0 || !IsCased(points[j])) return false;
        int k = index + 1;
        while (k < points.Length && IsCaseIgnorable(points[k])) k++;
        return k == points.Length || !IsCased(points[k]);
    }

    // Unicode "Cased": Lowercase or Uppercase or Lt (Other_Lowercase/Other_Uppercase approximated by their ranges).
    private static bool IsCased(int c)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
            return true;
        return c is 0x00AA or 0x00BA or 0x0345 or 0x037A or 0x1D78 or 0x2071 or 0x207F or 0xA770
            or (>= 0x02B0 and <= 0x02B8) or (>= 0x02C0 and <= 0x02C1) or (>= 0x02E0 and <= 0x02E4)
            or (>= 0x1D2C and <= 0x1D6A) or (>= 0x1D9B and <= 0x1DBF) or (>= 0x2090 and <= 0x209C)
            or (>= 0x2160 and <= 0x217F) or (>= 0x24B6 and <= 0x24E9) or (>= 0x2C7C and <= 0x2C7D)
            or (>= 0xA69C and <= 0xA69D) or (>= 0xA7F8 and <= 0xA7F9) or (>= 0xAB5C and <= 0xAB5F)
            or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
    }

    // Unicode "Case_Ignorable": Mn, Me, Cf, Lm, Sk, plus Word_Break MidLetter / MidNumLet / Single_Quote.
    private static bool IsCaseIgnorable(int c)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol)
            return true;
        return c is 0x0027 or 0x002E or 0x003A or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019
            or 0x2024 or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
    }
}
