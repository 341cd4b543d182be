using PhoenixSlt.Web.Components.Pages.Translate;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Tests.Translation;

public sealed class TranslateRowTests
{
    private static TranslationResult Result(string hypothesis, int frames = 3, double batchMs = 100, int batchClips = 1)
        => new("clip", hypothesis, frames, 250, null, batchMs, batchClips);

    [Fact]
    public void Complete_HypothesisEqualsReference_SentenceBleuIs100()
    {
        var row = new TranslateRow("a", "heute regnet es im norden");

        row.Complete(Result("heute regnet es im norden", 12));

        Assert.Equal(100.0, row.SentenceBleu!.Value, 9);
    }

    [Fact]
    public void Complete_UnknownSample_NoSentenceBleu()
    {
        var row = new TranslateRow("upload", null);

        row.Complete(Result("heute"));

        Assert.Null(row.SentenceBleu);
    }

    [Fact]
    public void DecodeText_ClipDecodedAlone_ItsOwnTimeWithoutMark()
    {
        var row = new TranslateRow("a", null);

        row.Complete(Result("x", batchMs: 812.4, batchClips: 1));

        Assert.Equal((812.4, false, "812"), (row.DecodeMs!.Value, row.IsBatchShare, row.DecodeText));
    }

    [Fact]
    public void DecodeText_ClipOfABatchOfFour_AQuarterOfTheBatchTimeMarkedAsAShare()
    {
        var row = new TranslateRow("a", null);

        row.Complete(Result("x", batchMs: 400, batchClips: 4));

        Assert.Equal((100.0, true, "≈ 100"), (row.DecodeMs!.Value, row.IsBatchShare, row.DecodeText));
    }

    [Fact]
    public void ToCsv_CommasAndQuotes_QuotedAsRfc4180()
    {
        var row = new TranslateRow("x", "a, \"b\"");
        row.Complete(Result("morgen sonne", 7, batchMs: 24.68, batchClips: 2));
        var pending = new TranslateRow("y", null);

        string csv = TranslateRow.ToCsv([row, pending]);

        // decode_ms = 24.68 / 2 clips = 12.34 → "12.3".
        Assert.Equal("name,hypothesis,reference,sentence_bleu,frames,decode_ms,batch_clips\n"
                     + $"x,morgen sonne,\"a, \"\"b\"\"\",{row.SentenceBleu!.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)},7,12.3,2\n"
                     + "y,,,,,,\n", csv);
    }
}
