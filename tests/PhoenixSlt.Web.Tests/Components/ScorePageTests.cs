using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using PhoenixSlt.Web.Components.Pages;

namespace PhoenixSlt.Web.Tests.Components;

public class ScorePageTests : PortalTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// sacrebleu prints scores with two decimals; the page does the same.
    private static string TwoDecimals(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    [Fact]
    public void Score_FixtureCaseA43_ShowsSacrebleuAndSltValues()
    {
        BleuFixtureCase fixture = BleuFixtureCase.Load("A43-clipping");
        IRenderedComponent<Score> cut = RenderPage<Score>();

        cut.Find("textarea[data-testid=hypotheses]").Input(string.Join("\n", fixture.Hypotheses));
        cut.Find("textarea[data-testid=references]").Input(string.Join("\n", fixture.References[0]) + "\n");
        cut.Find("[data-testid=score-button]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=bleu-string]")), TimeSpan.FromSeconds(10));
        Assert.Equal(fixture.Expected.GetProperty("bleu").GetProperty("str").GetString(), cut.Find("[data-testid=bleu-string]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("bleu", "score")), cut.Find("[data-testid=bleu-score]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("chrf", "score")), cut.Find("[data-testid=chrf]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("chrf_plus_plus", "score")), cut.Find("[data-testid=chrfpp]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("rouge_l", "score")), cut.Find("[data-testid=rouge-l]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("slt_signjoey", "bleu1")), cut.Find("[data-testid=slt-bleu1]").TextContent);
        Assert.Equal(TwoDecimals(fixture.Number("slt_signjoey", "bleu4")), cut.Find("[data-testid=slt-bleu4]").TextContent);
        Assert.Equal(fixture.Expected.GetProperty("bleu").GetProperty("signature").GetString(), cut.Find("[data-testid=bleu-signature]").TextContent);
    }

    [Fact]
    public void Score_FixtureCaseA43_ShowsSentenceBleuPerLine()
    {
        BleuFixtureCase fixture = BleuFixtureCase.Load("A43-clipping");
        IRenderedComponent<Score> cut = RenderPage<Score>();

        cut.Find("textarea[data-testid=hypotheses]").Input(string.Join("\n", fixture.Hypotheses));
        cut.Find("textarea[data-testid=references]").Input(string.Join("\n", fixture.References[0]));
        cut.Find("[data-testid=score-button]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".sentence-bleu")), TimeSpan.FromSeconds(10));
        string[] shown = [.. cut.FindAll("td.sentence-bleu").Select(td => td.TextContent)];
        string[] expected = [.. fixture.Expected.GetProperty("sentence_bleu").EnumerateArray()
            .Select(s => TwoDecimals(s.GetProperty("score").GetDouble()))];
        Assert.Equal(expected, shown);
    }

    [Fact]
    public void Score_LowercaseOptionOnFixtureA44_MatchesLowercasedSacrebleu()
    {
        BleuFixtureCase fixture = BleuFixtureCase.Load("A44-unicode-lowercase-pitfalls");
        IRenderedComponent<Score> cut = RenderPage<Score>();

        cut.Find("textarea[data-testid=hypotheses]").Input(string.Join("\n", fixture.Hypotheses));
        cut.Find("textarea[data-testid=references]").Input(string.Join("\n", fixture.References[0]));
        cut.Find("input[type=checkbox]").Change(true);
        cut.Find("[data-testid=score-button]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=bleu-string]")), TimeSpan.FromSeconds(10));
        Assert.Equal(fixture.Expected.GetProperty("bleu").GetProperty("str").GetString(), cut.Find("[data-testid=bleu-string]").TextContent);
        Assert.Contains("case:lc", cut.Find("[data-testid=bleu-signature]").TextContent);
    }

    [Fact]
    public void Upload_TextFilesForHypothesesAndReference_FillsFieldsAndScores()
    {
        BleuFixtureCase fixture = BleuFixtureCase.Load("A43-clipping");
        IRenderedComponent<Score> cut = RenderPage<Score>();
        IReadOnlyList<IRenderedComponent<InputFile>> inputs = cut.FindComponents<InputFile>();

        inputs[0].UploadFiles(InputFileContent.CreateFromText(string.Join("\r\n", fixture.Hypotheses) + "\r\n", "hyps.txt"));
        inputs[1].UploadFiles(InputFileContent.CreateFromText(string.Join("\n", fixture.References[0]), "refs.txt"));
        cut.WaitForAssertion(() => Assert.Contains($"{fixture.Hypotheses.Count} lines", cut.Markup), Wait);
        cut.Find("[data-testid=score-button]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=bleu-string]")), Wait);
        Assert.Equal(fixture.Expected.GetProperty("bleu").GetProperty("str").GetString(), cut.Find("[data-testid=bleu-string]").TextContent);
    }

    [Fact]
    public void Score_LineCountMismatch_ShowsErrorAndNoResults()
    {
        IRenderedComponent<Score> cut = RenderPage<Score>();

        cut.Find("textarea[data-testid=hypotheses]").Input("es regnet\nes schneit\nes ist warm");
        cut.Find("textarea[data-testid=references]").Input("es regnet\nes schneit");
        cut.Find("[data-testid=score-button]").Click();

        IElement errors = cut.Find("[data-testid=score-errors]");
        Assert.Contains("Line count mismatch: 3 hypotheses but 2 references", errors.TextContent);
        Assert.Empty(cut.FindAll("[data-testid=score-results]"));
    }

    [Fact]
    public void Score_EmptyInput_AsksForHypothesesAndReferences()
    {
        IRenderedComponent<Score> cut = RenderPage<Score>();

        cut.Find("[data-testid=score-button]").Click();

        string errors = cut.Find("[data-testid=score-errors]").TextContent;
        Assert.Contains("Hypotheses are empty", errors);
        Assert.Contains("References are empty", errors);
    }
}
