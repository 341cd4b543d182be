using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// Expected values are CPython 3.11 outputs (`s.lower()`, `s.split()`, `format(x, '.2f')`).
public sealed class PythonTextTests
{
    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")]           // word-final capital sigma -> final sigma
    [InlineData("Σ", "σ")]                 // no cased letter before it -> not final
    [InlineData("ΑΣ.", "ας.")]             // '.' is not cased, so the sigma is final
    [InlineData("ΑΣΑ", "ασα")]             // followed by a cased letter -> not final
    [InlineData("Α\u0301Σ", "α\u0301ς")]   // combining accent is case-ignorable on the left
    [InlineData("ΑΣ'Α", "ασ'α")]           // apostrophe is case-ignorable, a cased letter follows
    [InlineData("İSTANBUL", "i\u0307stanbul")] // İ -> i + U+0307 (two code points)
    [InlineData("STRAẞE", "straße")]      // capital sharp s -> ß
    [InlineData("STRASSE", "strasse")]     // no round trip back to ß
    public void Lower_PythonPitfalls_MatchesCPython(string input, string expected)
    {
        Assert.Equal(expected, PythonText.Lower(input));
    }

    [Fact]
    public void Lower_FinalSigma_DiffersFromToLowerInvariant()
    {
        Assert.NotEqual("ΟΔΟΣ".ToLowerInvariant(), PythonText.Lower("ΟΔΟΣ"));
    }

    [Fact]
    public void Split_UnicodeWhitespace_SplitsLikePython()
    {
        // NBSP, ideographic space and U+001C split; zero-width space U+200B does not.
        Assert.Equal(["a", "b", "c", "d\u200Be"], PythonText.Split("a\u00A0b\u3000c\u001Cd\u200Be"));
    }

    [Fact]
    public void Split_EmptyAndBlank_GiveNoTokens()
    {
        Assert.Empty(PythonText.Split(""));
        Assert.Empty(PythonText.Split(" \t\u00A0 "));
    }

    [Fact]
    public void SplitOnSpace_DoubleSpaceAndEmpty_KeepEmptyTokens()
    {
        Assert.Equal(["a", "", "b"], PythonText.SplitOnSpace("a  b"));
        Assert.Equal([""], PythonText.SplitOnSpace(""));
        Assert.Equal(["a\tb"], PythonText.SplitOnSpace("a\tb"));
    }

    [Fact]
    public void RStrip_TrailingUnicodeWhitespace_IsRemoved()
    {
        Assert.Equal(" a b", PythonText.RStrip(" a b\u3000\u00A0\r\n"));
    }

    [Fact]
    public void CodePoints_AstralCharacter_IsOneCodePoint()
    {
        Assert.Equal([0x1F642, 'a'], PythonText.CodePoints("🙂a"));
    }

    [Theory]
    [InlineData(0.125, 2, "0.12")]      // exact tie -> half to even (.NET "F2" gives 0.13)
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.675, 2, "2.67")]      // binary value lies below the tie
    [InlineData(-0.001, 2, "-0.00")]
    [InlineData(0.25, 1, "0.2")]
    [InlineData(62.25, 1, "62.2")]
    [InlineData(1e22, 2, "10000000000000000000000.00")]
    [InlineData(5e-324, 3, "0.000")]
    [InlineData(99.995, 2, "100.00")]
    [InlineData(0.5, 0, "0")]
    public void Fixed_Values_MatchPythonFormat(double value, int digits, string expected)
    {
        Assert.Equal(expected, PythonFormat.Fixed(value, digits));
    }
}
