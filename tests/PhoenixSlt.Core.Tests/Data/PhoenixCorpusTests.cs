using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class PhoenixCorpusTests : IDisposable
{
    // First rows of the official PHOENIX-2014-T.dev.corpus.csv layout.
    private const string Official =
        "name|video|start|end|speaker|orth|translation\n" +
        "01April_2010_Thursday_heute-6694|01April_2010_Thursday_heute-6694/1/*.png|-1|-1|Signer04|WOCHENENDE IX SONNE SEHEN|am wochenende wird es freundlicher\n" +
        "01April_2010_Thursday_heute-6695|01April_2010_Thursday_heute-6695/1/*.png|-1|-1|Signer04|ABER REGEN|und regen gibt es auch für süddeutschland\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Annotations => _dir.File("annotations");

    [Fact]
    public void Load_OfficialFile_ReadsAllColumns()
    {
        _dir.Write("annotations/PHOENIX-2014-T.dev.corpus.csv", Official);

        IReadOnlyList<PhoenixSample> samples = PhoenixCorpus.Load(Annotations, "dev");

        Assert.Equal(2, samples.Count);
        Assert.Equal(new PhoenixSample("01April_2010_Thursday_heute-6694", "am wochenende wird es freundlicher", "WOCHENENDE IX SONNE SEHEN",
            "Signer04", "01April_2010_Thursday_heute-6694/1/*.png", -1, -1), samples[0]);
        Assert.Equal("und regen gibt es auch für süddeutschland", samples[1].Translation);
    }

    [Fact]
    public void Load_PlainCsvWithQuotes_ParsesRfc4180()
    {
        _dir.Write("annotations/train.csv",
            "name,translation,orth\r\n" +
            "a,\"hallo, welt\",X\r\n" +
            "b,\"er sagte \"\"ja\"\"\",Y\r\n" +
            "c,\"zwei\nzeilen\",Z\r\n");

        IReadOnlyList<PhoenixSample> samples = PhoenixCorpus.Load(Annotations, "train");

        Assert.Equal(["hallo, welt", "er sagte \"ja\"", "zwei\nzeilen"], samples.Select(s => s.Translation));
        Assert.Equal(["X", "Y", "Z"], samples.Select(s => s.Orth));
        Assert.All(samples, s => Assert.Equal(-1, s.Start));
    }

    [Fact]
    public void Load_BothFilesPresent_PrefersOfficial()
    {
        _dir.Write("annotations/PHOENIX-2014-T.test.corpus.csv", Official);
        _dir.Write("annotations/test.csv", "name,translation\nother,text\n");

        Assert.Equal(2, PhoenixCorpus.Load(Annotations, "test").Count);
    }

    [Fact]
    public void Load_ColumnsInOtherOrderAndBomAndBlankLines_Accepted()
    {
        _dir.Write("annotations/dev.csv", "\uFEFFTranslation,Speaker,Name\n\nguten morgen,Signer01,x1\n\n");

        PhoenixSample sample = Assert.Single(PhoenixCorpus.Load(Annotations, "dev"));

        Assert.Equal(new PhoenixSample("x1", "guten morgen", Speaker: "Signer01"), sample);
    }

    [Fact]
    public void WriteOfficial_ThenLoadFile_RoundTrips()
    {
        PhoenixSample[] samples =
        [
            new("s1", "es wird kälter", "KALT", "Signer01", "s1/1/*.png", 0, 41),
            new("s2", "regen im süden", "SUED REGEN", "Signer02", "s2/1/*.png", -1, -1),
        ];
        string path = _dir.File("annotations", "PHOENIX-2014-T.train.corpus.csv");

        PhoenixCorpus.WriteOfficial(path, samples);

        Assert.Equal(samples, PhoenixCorpus.LoadFile(path));
        Assert.StartsWith("name|video|start|end|speaker|orth|translation\ns1|s1/1/*.png|0|41|Signer01|KALT|es wird kälter\n", File.ReadAllText(path));
    }

    [Fact]
    public void WritePlain_FieldsNeedingQuotes_RoundTrip()
    {
        PhoenixSample[] samples = [new("s1", "a, \"b\"\nc", "X,Y", "Signer01")];
        string path = _dir.File("p.csv");

        PhoenixCorpus.WritePlain(path, samples);

        Assert.Equal(samples, PhoenixCorpus.LoadFile(path));
    }

    [Fact]
    public void WriteOfficial_FieldWithPipe_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PhoenixCorpus.WriteOfficial(_dir.File("x.csv"), [new PhoenixSample("a", "x|y")]));

        Assert.Contains("'|'", ex.Message);
    }

    [Fact]
    public void Load_NoFile_NamesBothCandidates()
    {
        Directory.CreateDirectory(Annotations);

        var ex = Assert.Throws<PhoenixDataException>(() => PhoenixCorpus.Load(Annotations, "dev"));

        Assert.Equal(Annotations, ex.FilePath);
        Assert.Contains("no annotation file for split 'dev'", ex.Problem);
        Assert.Contains("tried PHOENIX-2014-T.dev.corpus.csv or dev.csv", ex.Problem);
    }

    [Fact]
    public void Load_NoAnnotationsFolder_SaysFolderMissing()
    {
        var ex = Assert.Throws<PhoenixDataException>(() => PhoenixCorpus.Load(Annotations, "train"));

        Assert.Contains("(the folder does not exist)", ex.Problem);
    }

    private PhoenixDataException LoadFails(string name, string text)
    {
        string path = _dir.Write(name, text);
        var ex = Assert.Throws<PhoenixDataException>(() => PhoenixCorpus.LoadFile(path));
        Assert.Equal(path, ex.FilePath);
        return ex;
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\n")]
    public void LoadFile_EmptyFile_SaysEmpty(string text)
    {
        var ex = LoadFails("empty.csv", text);

        Assert.StartsWith("file is empty; expected a header line", ex.Problem);
    }

    [Fact]
    public void LoadFile_HeaderOnly_SaysNoSamples()
    {
        var ex = LoadFails("h.csv", "name|video|start|end|speaker|orth|translation\n");

        Assert.Equal("has a header but no samples", ex.Problem);
    }

    [Fact]
    public void LoadFile_MissingTranslationColumn_NamesColumnAndHeader()
    {
        var ex = LoadFails("nocol.csv", "name|video|start|end|speaker|orth\na|a|-1|-1|S|X\n");

        Assert.Equal("line 1: missing column 'translation'; header found: 'name|video|start|end|speaker|orth'; " +
                     "expected name|video|start|end|speaker|orth|translation", ex.Problem);
    }

    [Fact]
    public void LoadFile_PlainCsvMissingName_NamesColumnAndHeader()
    {
        var ex = LoadFails("nocol.csv", "id,translation\na,b\n");

        Assert.StartsWith("line 1: missing column 'name'; header found: 'id,translation'", ex.Problem);
    }

    [Fact]
    public void LoadFile_WrongFieldCount_NamesLine()
    {
        var ex = LoadFails("bad.csv", Official + "broken|only|three\n");

        Assert.Equal("line 4: expected 7 fields separated by '|' as in the header but found 3", ex.Problem);
    }

    [Fact]
    public void LoadFile_DuplicateName_NamesBothLines()
    {
        string dup = Official + "01April_2010_Thursday_heute-6694|v|-1|-1|S|X|noch einmal\n";

        var ex = LoadFails("dup.csv", dup);

        Assert.Equal("line 4: duplicate name '01April_2010_Thursday_heute-6694' (first seen on line 2); names must be unique", ex.Problem);
    }

    [Fact]
    public void LoadFile_UnclosedQuote_NamesLineWhereQuoteOpens()
    {
        var ex = LoadFails("q.csv", "name,translation\na,ok\nb,\"never closed\nc,x\n");

        Assert.Equal("line 3: quoted field is never closed (a '\"' is missing)", ex.Problem);
    }

    [Theory]
    [InlineData("../escape", "cannot be used as a file name")]
    [InlineData("", "empty name")]
    public void LoadFile_BadName_Rejected(string name, string expected)
    {
        var ex = LoadFails("n.csv", $"name,translation\n{name},text\n");

        Assert.Contains(expected, ex.Problem);
        Assert.StartsWith("line 2: ", ex.Problem);
    }

    [Fact]
    public void LoadFile_NonIntegerStart_NamesValue()
    {
        var ex = LoadFails("s.csv", "name|video|start|end|speaker|orth|translation\na|v|zero|-1|S|X|t\n");

        Assert.Equal("line 2: start 'zero' is not an integer", ex.Problem);
    }

    [Fact]
    public void ReadFile_SeveralProblems_CollectsAllAndKeepsGoodRows()
    {
        string path = _dir.Write("many.csv", Official + "bad|row\n" + "x|v|-1|-1|S|X|\n" + "ok|v|-1|-1|S|X|fine\n" + "also|bad\n");

        CorpusReadResult result = PhoenixCorpus.ReadFile(path);

        Assert.Equal([4, 5, 7], result.Problems.Select(p => p.Line!.Value));
        Assert.Contains("empty translation", result.Problems[1].Problem);
        Assert.Equal(3, result.Samples.Count);
        var ex = Assert.Throws<PhoenixDataException>(() => PhoenixCorpus.LoadFile(path));
        Assert.EndsWith("(and 2 more problem(s) in this file; `phoenix-slt data check` lists them all)", ex.Problem);
    }
}
