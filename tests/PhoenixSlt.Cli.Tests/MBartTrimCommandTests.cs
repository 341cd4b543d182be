using System.CommandLine;
using System.Globalization;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Cli.Tests;

/// `phoenix-slt mbart trim` run in-process on the tiny mBART of tests/fixtures/mbart-tiny.
public sealed class MBartTrimCommandTests : IDisposable
{
    private static readonly string ModelDir = TestPaths.Fixture("mbart-tiny");

    private readonly string _dir = TestPaths.NewTempDir("phoenix-mbart-trim");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CliResult Trim(params string[] args)
        => CliRunner.Run(new RootCommand { new Command("mbart") { MBartTrimCommand.Create() } }, ["mbart", "trim", .. args]);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Out => Path.Combine(_dir, "trimmed");

    [Fact]
    public void Generate_TrimmedFolder_UsesTheTrimmedVocabulary()
    {
        string corpus = Write("sentences.txt", "am montag regnet es im norden\nim süden bleibt es trocken\n");
        Assert.Equal(0, Trim("--model", ModelDir, "--corpus", corpus, "--out", Out).ExitCode);
        var trimmed = TokenizerFactory.Load(Out);

        var result = CliRunner.Run(MBartCommand.Create(), "mbart", "generate", "--model", Out, "--text", "am montag regnet es",
            "--beams", "2", "--max-new-tokens", "5", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        long[] sequence = [.. json.RootElement.GetProperty("sequences")[0].EnumerateArray().Select(e => e.GetInt64())];
        // Generation starts with the trimmed de_DE id (the untrimmed 1003 is outside the trimmed vocabulary).
        Assert.Equal(trimmed.LanguageId("de_DE"), sequence[0]);
        Assert.All(sequence, id => Assert.InRange(id, 0, trimmed.VocabSize - 1));
    }

    [Fact]
    public void Trim_PlainTextCorpus_WritesALoadableFolderAndPrintsSizes()
    {
        string corpus = Write("sentences.txt", "am montag regnet es im norden\nim süden bleibt es trocken\n");
        var original = MBartTokenizer.Load(Path.Combine(ModelDir, "sentencepiece.bpe.model"));
        int expectedKept = new[] { "am montag regnet es im norden", "im süden bleibt es trocken" }
            .SelectMany(s => original.Encode(s)).Concat([0, 1, 2, 3, original.MaskId]).Distinct().Count();

        var result = Trim("--model", ModelDir, "--corpus", corpus, "--out", Out);

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"kept {expectedKept.ToString("N0", CultureInfo.InvariantCulture)} of 1,027 tokens", result.Output);
        long saved = (1027L - expectedKept) * 64;
        Assert.Contains($"saved {saved.ToString("N0", CultureInfo.InvariantCulture)}", result.Output);
        Assert.Contains("1 language code(s) (de_DE)", result.Output);
        Assert.Contains("corpus: 2 sentences from 1 file(s), 0 <unk> tokens", result.Output);
        Assert.Contains($"written: {Out}", result.Output);
        var (model, report) = MBartPretrained.Load(Out);
        using var _ = model;
        Assert.True(report.IsComplete);
        Assert.Equal(expectedKept, model.Config.VocabSize);
        var tokenizer = CheckpointTokenizer.Load(Out);
        Assert.Equal("am montag regnet es im norden", tokenizer.Decode(tokenizer.Encode("am montag regnet es im norden")));
    }

    [Fact]
    public void Trim_SeveralCorporaAndLanguages_KeepsAllOfThem()
    {
        string official = Write("PHOENIX-2014-T.train.corpus.csv",
            "name|video|start|end|speaker|orth|translation\ns1|s1/1/*.png|-1|-1|Signer01|MORGEN REGEN|morgen regnet es\n");
        string plain = Write("dev.csv", "name,translation\nd1,im osten sonne\n");

        var result = Trim("--model", ModelDir, "--corpus", official, "--corpus", plain, "--lang", "de_DE", "--lang", "en_XX", "--out", Out);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 language code(s) (de_DE, en_XX)", result.Output);
        Assert.Contains("corpus: 2 sentences from 2 file(s)", result.Output);
        var tokenizer = CheckpointTokenizer.Load(Out);
        Assert.Equal(["de_DE", "en_XX"], tokenizer.LanguageCodes);
        Assert.DoesNotContain(tokenizer.UnkId, tokenizer.Encode("im osten sonne"));
        Assert.DoesNotContain(tokenizer.UnkId, tokenizer.Encode("morgen regnet es"));
    }

    [Fact]
    public void Trim_OutExists_FailsAndSuggestsForce()
    {
        string corpus = Write("s.txt", "am montag\n");
        Directory.CreateDirectory(Out);

        var result = Trim("--model", ModelDir, "--corpus", corpus, "--out", Out);
        var forced = Trim("--model", ModelDir, "--corpus", corpus, "--out", Out, "--force");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(Out, result.Error);
        Assert.Contains("--force", result.Error);
        Assert.Equal(0, forced.ExitCode);
        Assert.True(File.Exists(Path.Combine(Out, "vocab_trim.json")));
    }

    [Fact]
    public void Trim_MissingCorpusFile_NamesIt()
    {
        string missing = Path.Combine(_dir, "nope.txt");

        var result = Trim("--model", ModelDir, "--corpus", missing, "--out", Out);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("mbart trim: ", result.Error);
        Assert.Contains(missing, result.Error);
        Assert.Contains("not found", result.Error);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Trim_MissingModelFolder_SaysWhatToGive()
    {
        string corpus = Write("s.txt", "am montag\n");

        var result = Trim("--model", Path.Combine(_dir, "no-model"), "--corpus", corpus, "--out", Out);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-model", result.Error);
        Assert.Contains("config.json", result.Error);
    }

    [Fact]
    public void Trim_FolderWithoutTokenizer_NamesTheMissingFile()
    {
        string model = Path.Combine(_dir, "model");
        Directory.CreateDirectory(model);
        File.Copy(Path.Combine(ModelDir, "config.json"), Path.Combine(model, "config.json"));
        File.Copy(Path.Combine(ModelDir, "model.safetensors"), Path.Combine(model, "model.safetensors"));
        string corpus = Write("s.txt", "am montag\n");

        var result = Trim("--model", model, "--corpus", corpus, "--out", Out);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sentencepiece.bpe.model", result.Error);
    }

    [Fact]
    public void Trim_UnknownLanguage_ListsTheValidCodes()
    {
        string corpus = Write("s.txt", "am montag\n");

        var result = Trim("--model", ModelDir, "--corpus", corpus, "--lang", "xx_YY", "--out", Out);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("xx_YY", result.Error);
        Assert.Contains("de_DE", result.Error);
    }

    [Fact]
    public void Trim_OutSameAsModel_IsRefused()
    {
        string corpus = Write("s.txt", "am montag\n");

        var result = Trim("--model", ModelDir, "--corpus", corpus, "--out", ModelDir + "/");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--out must differ from --model", result.Error);
    }

    [Fact]
    public void Trim_WithoutCorpus_IsAUsageError()
    {
        var result = Trim("--model", ModelDir, "--out", Out);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--corpus", result.Error);
    }
}
