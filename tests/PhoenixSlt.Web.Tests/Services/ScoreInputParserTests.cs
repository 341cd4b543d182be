using PhoenixSlt.Web.Services.Scoring;

namespace PhoenixSlt.Web.Tests.Services;

public class ScoreInputParserTests
{
    [Fact]
    public void SplitLines_CrLfWithTrailingNewline_DropsOnlyTheFinalBreak()
    {
        IReadOnlyList<string> lines = ScoreInputParser.SplitLines("a b\r\n\r\nc\r\n");

        Assert.Equal(["a b", "", "c"], lines);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n ")]
    public void SplitLines_BlankText_HasNoLines(string? text)
    {
        Assert.Empty(ScoreInputParser.SplitLines(text));
    }

    [Fact]
    public void Parse_MatchingCounts_BuildsStreamMajorReferences()
    {
        ScoreInputResult result = ScoreInputParser.Parse("h1\nh2", "r1\nr2\n", "s1\ns2");

        Assert.True(result.IsValid);
        Assert.Equal(["h1", "h2"], result.Input!.Hypotheses);
        Assert.Equal(2, result.Input.References.Count);
        Assert.Equal(["r1", "r2"], result.Input.References[0]);
        Assert.Equal(["s1", "s2"], result.Input.References[1]);
    }

    [Fact]
    public void Parse_NoSecondReference_HasOneStream()
    {
        ScoreInputResult result = ScoreInputParser.Parse("h1", "r1", "   ");

        Assert.Single(result.Input!.References);
    }

    [Fact]
    public void Parse_LineCountMismatch_NamesBothCounts()
    {
        ScoreInputResult result = ScoreInputParser.Parse("h1\nh2\nh3", "r1\nr2");

        Assert.False(result.IsValid);
        string error = Assert.Single(result.Errors);
        Assert.Contains("3 hypotheses but 2 references", error);
    }

    [Fact]
    public void Parse_SecondReferenceMismatch_ReportsSecondReferences()
    {
        ScoreInputResult result = ScoreInputParser.Parse("h1\nh2", "r1\nr2", "s1");

        Assert.Contains(result.Errors, e => e.Contains("2 hypotheses but 1 second references"));
    }

    [Fact]
    public void Parse_EmptyInputs_ReportsBothEmptyFields()
    {
        ScoreInputResult result = ScoreInputParser.Parse("", " ");

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.StartsWith("Hypotheses are empty"));
        Assert.Contains(result.Errors, e => e.StartsWith("References are empty"));
    }
}
