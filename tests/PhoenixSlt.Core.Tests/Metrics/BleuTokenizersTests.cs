using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Core.Tests.Metrics;

/// Expected tokenizations follow the mteval rules listed in tests/fixtures/bleu/README.md (pitfalls 2–3).
public sealed class BleuTokenizersTests
{
    [Theory]
    [InlineData("Temperatur: 20,5 Grad.", "Temperatur : 20,5 Grad .")]   // , inside a number stays, final . splits
    [InlineData("1.000 Meter und 19.30 Uhr", "1.000 Meter und 19.30 Uhr")]
    [InlineData("mild.", "mild .")]
    [InlineData("5-7 Grad", "5 - 7 Grad")]                               // - after a digit splits
    [InlineData("-4 Grad nord-west it's", "-4 Grad nord-west it's")]     // other dashes and apostrophes stay
    [InlineData("„mild“ 20°C 5€", "„mild“ 20°C 5€")]                      // non-ASCII punctuation is never split
    [InlineData("a <skipped> b", "a b")]
    [InlineData("nord-\nwest\nsüd", "nordwest süd")]
    [InlineData("&lt;b&gt; &amp;amp;", "< b > & amp ;")]                 // unescape in order: &amp;amp; -> &amp;
    [InlineData("(a)!", "( a ) !")]
    public void Tokenize13a_MtevalRules_SplitAsMteval13a(string input, string expected)
    {
        Assert.Equal(expected, BleuTokenizers.Tokenize13a(input));
    }

    [Theory]
    [InlineData("bei -4 Grad", "bei - 4 Grad")]   // punctuation after a non-number splits
    [InlineData("5-7 Grad", "5-7 Grad")]          // between numbers it stays
    [InlineData("um 2020.", "um 2020.")]          // number + final '.' stays attached (mteval-v14 quirk)
    [InlineData("mild.", "mild .")]
    [InlineData("20°C", "20 ° C")]                // symbols (S*) always split
    [InlineData("„mild“", "„ mild “")]            // Unicode punctuation splits
    [InlineData("&amp;", "& amp ;")]             // entities are not unescaped
    [InlineData("a 🙂 b🙂c", "a 🙂 b 🙂 c")]         // astral symbol handled as one code point
    public void TokenizeInternational_MtevalV14Rules_SplitAsMtevalV14(string input, string expected)
    {
        Assert.Equal(expected, BleuTokenizers.TokenizeInternational(input));
    }

    [Fact]
    public void Tokenize_None_ReturnsLineUnchanged()
    {
        Assert.Equal("a,b  c.", BleuTokenizers.Tokenize("a,b  c.", BleuTokenizer.None));
    }

    [Fact]
    public void PreprocessSegment_LowercaseAndRStrip_AppliedBeforeTokenizing()
    {
        var options = new BleuOptions { Lowercase = true };
        Assert.Equal("straße ist nass .", BleuMetric.PreprocessSegment("STRAẞE IST NASS.\u00A0\n", options));
    }

    [Theory]
    [InlineData("13a", BleuTokenizer.Mteval13a)]
    [InlineData("intl", BleuTokenizer.International)]
    [InlineData("none", BleuTokenizer.None)]
    public void Parse_KnownName_RoundTripsThroughName(string name, BleuTokenizer expected)
    {
        Assert.Equal(expected, BleuTokenizers.Parse(name));
        Assert.Equal(name, expected.Name());
    }

    [Fact]
    public void Parse_UnknownName_ThrowsListingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => BleuTokenizers.Parse("zh"));
        Assert.Contains("13a, intl, none", error.Message);
    }
}
