using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Cli.Tests;

/// `phoenix-slt tokenize` run in-process; expected ids and texts come from
/// tests/fixtures/mbart-tiny/tokenizer_cases.json (transformers 4.40.2 slow MBartTokenizer).
public sealed class TokenizeCommandTests : IDisposable
{
    private static readonly string SpmPath = TestPaths.Fixture("mbart-tiny", "sentencepiece.bpe.model");

    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("mbart-tiny", "tokenizer_cases.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    });

    private readonly string _dir = TestPaths.NewTempDir("phoenix-tokenize");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tokenize_FixtureTexts_PrintsInputIdsPerLine()
    {
        // One text per line: cases whose text contains a line break cannot be fed as one line.
        var cases = Cases.Value.Where(c => !Text(c).Contains('\n') && !Text(c).Contains('\r')).ToArray();
        string stdin = string.Join("\n", cases.Select(Text)) + "\n";

        var result = Run(stdin, "--spm", SpmPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string[] lines = OutputLines(result);
        Assert.Equal(cases.Length, lines.Length);
        for (int i = 0; i < cases.Length; i++)
            Assert.Equal(Ints(cases[i].GetProperty("input_ids")), JsonSerializer.Deserialize<int[]>(lines[i]));
        Assert.True(cases.Length >= 38);
    }

    [Fact]
    public void Tokenize_Decode_PrintsFixtureDecodedText()
    {
        var cases = Cases.Value;
        string stdin = string.Join("\n", cases.Select(c => JsonSerializer.Serialize(Ints(c.GetProperty("input_ids")))));

        var result = Run(stdin, "--spm", SpmPath, "--decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(cases.Select(c => c.GetProperty("decoded").GetString()), OutputLines(result));
    }

    [Fact]
    public void Tokenize_LangEnglish_EndsWithEnglishCode()
    {
        var c = Cases.Value[0];
        int[] expected = [.. Ints(c.GetProperty("input_ids"))[..^1], 1004];

        var result = Run(Text(c), "--spm", SpmPath, "--lang", "en_XX");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, JsonSerializer.Deserialize<int[]>(OutputLines(result).Single()));
    }

    [Fact]
    public void Tokenize_EmptyInput_PrintsNothing()
    {
        var result = Run("", "--spm", SpmPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Tokenize_Vocab_EncodesAndDecodesWithCorpusTokenizer()
    {
        string[] corpus = ["morgen regnet es im norden .", "im süden scheint die sonne ."];
        var tokenizer = CorpusTokenizer.Build(corpus);
        string path = tokenizer.SaveTo(_dir);

        var encoded = Run(string.Join("\n", corpus), "--vocab", path);
        var decoded = Run(encoded.Output, "--vocab", path, "--decode");

        Assert.Equal(0, encoded.ExitCode);
        Assert.Equal(corpus.Select(s => tokenizer.Encode(s)), OutputLines(encoded).Select(l => JsonSerializer.Deserialize<int[]>(l)));
        Assert.Equal(0, decoded.ExitCode);
        Assert.Equal(corpus, OutputLines(decoded));
    }

    [Fact]
    public void Tokenize_UnknownLanguage_FailsListingValidCodes()
    {
        var result = Run("regen", "--spm", SpmPath, "--lang", "xx_XX");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("xx_XX", result.Error);
        Assert.Contains("de_DE", result.Error);
    }

    [Fact]
    public void Tokenize_MissingModel_FailsNamingFile()
    {
        string missing = Path.Combine(_dir, "missing.model");

        var result = Run("regen", "--spm", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(missing, result.Error);
        Assert.Contains("not found", result.Error);
    }

    [Fact]
    public void Tokenize_CorruptModel_FailsNamingFile()
    {
        string bad = Path.Combine(_dir, "bad.model");
        File.WriteAllText(bad, "not a model");

        var result = Run("regen", "--spm", bad);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(bad, result.Error);
    }

    [Fact]
    public void Tokenize_NoTokenizerOption_FailsSayingWhatToPass()
    {
        var result = Run("regen");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--spm", result.Error);
        Assert.Contains("--vocab", result.Error);
    }

    [Fact]
    public void Tokenize_BothTokenizerOptions_Fails()
    {
        var result = Run("regen", "--spm", SpmPath, "--vocab", SpmPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not both", result.Error);
    }

    [Theory]
    [InlineData("[18,2,1003]\n[18, oops]\n", "line 2")]
    [InlineData("[18,2,1003]\n\n", "line 2: empty line")]
    [InlineData("{\"ids\":[1]}\n", "line 1")]
    [InlineData("[18,2,1003]\n[18,2,1003]\n[5000]\n", "line 3: token id 5000")]
    [InlineData("[-1]\n", "line 1: token id -1")]
    public void Tokenize_DecodeBadLine_FailsWithLineNumber(string stdin, string expected)
    {
        var result = Run(stdin, "--spm", SpmPath, "--decode");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    private static CliResult Run(string stdin, params string[] args) =>
        CliRunner.Run(TokenizeCommand.Create(new StringReader(stdin)), ["tokenize", .. args]);

    private static string Text(JsonElement c) => c.GetProperty("text").GetString()!;

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    private static string[] OutputLines(CliResult result) =>
        result.Output.Length == 0 ? [] : result.Output.TrimEnd('\n').Split('\n');
}
