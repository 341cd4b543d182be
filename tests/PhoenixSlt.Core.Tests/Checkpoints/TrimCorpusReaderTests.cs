using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Tests.Data;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Corpus files for vocabulary trimming: PHOENIX annotation CSV (official or plain) or one sentence per line.
public sealed class TrimCorpusReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_OfficialCorpusCsv_GivesTheTranslations()
    {
        string path = _dir.Write("PHOENIX-2014-T.train.corpus.csv",
            "name|video|start|end|speaker|orth|translation\n" +
            "s1|s1/1/*.png|-1|-1|Signer01|MORGEN REGEN|morgen regnet es\n" +
            "s2|s2/1/*.png|-1|-1|Signer02|NORD SONNE|im norden scheint die sonne\n");

        Assert.Equal(["morgen regnet es", "im norden scheint die sonne"], TrimCorpusReader.Read(path));
    }

    [Fact]
    public void Read_PlainCsvWithQuotes_GivesTheTranslations()
    {
        string path = _dir.Write("train.csv", "name,translation\ns1,\"morgen, regen\"\ns2,sonne\n");

        Assert.Equal(["morgen, regen", "sonne"], TrimCorpusReader.Read(path));
    }

    [Fact]
    public void Read_AnnotationHeaderInTxtFile_IsRecognised()
    {
        string path = _dir.Write("dev.txt", "name|translation\ns1|es wird kalt\n");

        Assert.Equal(["es wird kalt"], TrimCorpusReader.Read(path));
    }

    [Fact]
    public void Read_PlainText_OneSentencePerLineSkippingBlankLines()
    {
        string path = _dir.Write("sentences.txt", "\uFEFFam montag regnet es\r\n\r\n  im süden sonne  \n");

        Assert.Equal(["am montag regnet es", "im süden sonne"], TrimCorpusReader.Read(path));
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        string path = _dir.File("nope.txt");

        var e = Assert.Throws<PhoenixDataException>(() => TrimCorpusReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Read_EmptyTextFile_SaysThereAreNoSentences()
    {
        string path = _dir.Write("empty.txt", "\n  \n");

        var e = Assert.Throws<PhoenixDataException>(() => TrimCorpusReader.Read(path));

        Assert.Contains("no sentences", e.Message);
    }

    [Fact]
    public void Read_CsvWithoutTranslationColumn_ReportsTheCorpusProblem()
    {
        string path = _dir.Write("bad.csv", "name,gloss\ns1,REGEN\n");

        var e = Assert.Throws<PhoenixDataException>(() => TrimCorpusReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("translation", e.Message);
    }

    [Theory]
    [InlineData("name|video|start|end|speaker|orth|translation", true)]
    [InlineData("Name,Translation", true)]
    [InlineData("\"name\",\"translation\",\"orth\"", true)]
    [InlineData("am montag regnet es", false)]
    [InlineData("name of the game, no translation here", false)]
    public void IsAnnotationHeader_Line_DetectsNameAndTranslationColumns(string line, bool expected)
    {
        Assert.Equal(expected, TrimCorpusReader.IsAnnotationHeader(line));
    }
}
