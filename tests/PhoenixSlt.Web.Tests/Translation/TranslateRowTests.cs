using PhoenixSlt.Web.Components.Pages.Translate;

namespace PhoenixSlt.Web.Tests.Translation;

public sealed class TranslateRowTests
{
    [Fact]
    public void Complete_HypothesisEqualsReference_SentenceBleuIs100()
    {
        var row = new TranslateRow("a", "heute regnet es im norden");

        row.Complete("heute regnet es im norden", 12, 3.5);

        Assert.Equal(100.0, row.SentenceBleu!.Value, 9);
    }

    [Fact]
    public void Complete_UnknownSample_NoSentenceBleu()
    {
        var row = new TranslateRow("upload", null);

        row.Complete("heute", 3, 1);

        Assert.Null(row.SentenceBleu);
    }

    [Fact]
    public void ToCsv_CommasAndQuotes_QuotedAsRfc4180()
    {
        var row = new TranslateRow("x", "a, \"b\"");
        row.Complete("morgen sonne", 7, 12.34);
        var pending = new TranslateRow("y", null);

        string csv = TranslateRow.ToCsv([row, pending]);

        Assert.Equal("name,hypothesis,reference,sentence_bleu,frames,ms\n"
                     + $"x,morgen sonne,\"a, \"\"b\"\"\",{row.SentenceBleu!.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)},7,12.3\n"
                     + "y,,,,,\n", csv);
    }
}
