using System.Text;
using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Cli.Tests;

/// `phoenix-slt score` run in-process on fixture cases written to files; expected numbers come from
/// tests/fixtures/bleu/bleu_fixtures_a.json (sacrebleu 2.6.0 and signjoey).
public sealed class ScoreCommandTests : IDisposable
{
    private static readonly Lazy<JsonElement> Cases = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("bleu", "bleu_fixtures_a.json")));
        return doc.RootElement.GetProperty("cases").Clone();
    });

    private readonly string _dir = TestPaths.NewTempDir("phoenix-score");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Score_A01Json_PrintsExactlyTheFixtureValues()
    {
        JsonElement c = Case("A01");
        (string hyp, string[] refs) = WriteCase(c);

        CliResult result = Score(["--hyp", hyp, .. refs.SelectMany(r => new[] { "--ref", r }), "--json"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using JsonDocument doc = JsonDocument.Parse(result.Output);
        JsonElement actual = doc.RootElement;
        JsonElement expected = c.GetProperty("expected");
        Assert.Equal(["bleu", "chrf", "chrf_plus_plus", "rouge_l", "slt"], Keys(actual));
        Assert.Equal(["score", "counts", "totals", "precisions", "bp", "sys_len", "ref_len"], Keys(actual.GetProperty("bleu")));
        Assert.Equal(["bleu1", "bleu2", "bleu3", "bleu4"], Keys(actual.GetProperty("slt")));

        JsonElement bleu = actual.GetProperty("bleu"), expectedBleu = expected.GetProperty("bleu");
        Assert.Equal(expectedBleu.GetProperty("score").GetDouble(), bleu.GetProperty("score").GetDouble());
        Assert.Equal(Doubles(expectedBleu.GetProperty("counts")), Doubles(bleu.GetProperty("counts")));
        Assert.Equal(Doubles(expectedBleu.GetProperty("totals")), Doubles(bleu.GetProperty("totals")));
        Assert.Equal(Doubles(expectedBleu.GetProperty("precisions")), Doubles(bleu.GetProperty("precisions")));
        Assert.Equal(expectedBleu.GetProperty("bp").GetDouble(), bleu.GetProperty("bp").GetDouble());
        Assert.Equal(expectedBleu.GetProperty("sys_len").GetInt32(), bleu.GetProperty("sys_len").GetInt32());
        Assert.Equal(expectedBleu.GetProperty("ref_len").GetInt32(), bleu.GetProperty("ref_len").GetInt32());
        Assert.Equal(ExpectedScore(expected, "chrf"), Score(actual, "chrf"));
        Assert.Equal(ExpectedScore(expected, "chrf_plus_plus"), Score(actual, "chrf_plus_plus"));
        Assert.Equal(ExpectedScore(expected, "rouge_l"), Score(actual, "rouge_l"));
        JsonElement slt = actual.GetProperty("slt"), expectedSlt = expected.GetProperty("slt_signjoey");
        foreach (string key in new[] { "bleu1", "bleu2", "bleu3", "bleu4" })
            Assert.Equal(expectedSlt.GetProperty(key).GetDouble(), slt.GetProperty(key).GetDouble());
    }

    [Fact]
    public void Score_A01Text_PrintsSacrebleuStyleLines()
    {
        JsonElement c = Case("A01");
        (string hyp, string[] refs) = WriteCase(c);
        JsonElement e = c.GetProperty("expected");

        CliResult result = Score(["--hyp", hyp, "--ref", refs[0]]);

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Output.TrimEnd().Split(Environment.NewLine);
        string bleuStr = e.GetProperty("bleu").GetProperty("str").GetString()!;   // "BLEU = 28.11 ..."
        Assert.Equal($"BLEU|{e.GetProperty("bleu").GetProperty("signature").GetString()} = {bleuStr["BLEU = ".Length..]}", lines[0]);
        Assert.Equal(ChrfLine(e.GetProperty("chrf")), lines[1]);
        Assert.Equal(ChrfLine(e.GetProperty("chrf_plus_plus")), lines[2]);
        Assert.EndsWith("= 55.03", lines[3]);                     // README: ROUGE-L = 55.03
        Assert.EndsWith("= 55.61 / 42.09 / 33.71 / 28.11", lines[4]); // README: SLT BLEU-1..4
    }

    [Theory]
    [InlineData("A18")]   // --lowercase
    [InlineData("A21")]   // --tokenize intl
    [InlineData("A27")]   // --smooth-method add-k --smooth-value 0.5
    [InlineData("A29")]   // --effective-order
    [InlineData("A35")]   // two --ref files
    public void Score_FixtureSettingsAsFlags_BleuMatchesFixture(string prefix)
    {
        JsonElement c = Case(prefix);
        (string hyp, string[] refs) = WriteCase(c);
        List<string> args = ["--hyp", hyp, .. refs.SelectMany(r => new[] { "--ref", r }), "--json", .. Flags(c.GetProperty("bleu_settings"))];

        CliResult result = Score([.. args]);

        Assert.Equal(0, result.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(result.Output);
        JsonElement expected = c.GetProperty("expected").GetProperty("bleu");
        JsonElement actual = doc.RootElement.GetProperty("bleu");
        Assert.Equal(expected.GetProperty("score").GetDouble(), actual.GetProperty("score").GetDouble());
        Assert.Equal(Doubles(expected.GetProperty("counts")), Doubles(actual.GetProperty("counts")));
        Assert.Equal(Doubles(expected.GetProperty("totals")), Doubles(actual.GetProperty("totals")));
        Assert.Equal(ExpectedScore(c.GetProperty("expected"), "chrf"), Score(doc.RootElement, "chrf"));
    }

    [Fact]
    public void Score_CrlfFiles_ScoreLikeLfFiles()
    {
        JsonElement c = Case("A05");
        (string hyp, string[] refs) = WriteCase(c);
        (string crlfHyp, string[] crlfRefs) = WriteCase(c, "\r\n", "crlf");

        CliResult lf = Score(["--hyp", hyp, "--ref", refs[0], "--json"]);
        CliResult crlf = Score(["--hyp", crlfHyp, "--ref", crlfRefs[0], "--json"]);

        Assert.Equal(0, crlf.ExitCode);
        Assert.Equal(lf.Output, crlf.Output);
        using JsonDocument doc = JsonDocument.Parse(crlf.Output);
        Assert.Equal(ExpectedScore(c.GetProperty("expected"), "rouge_l"), Score(doc.RootElement, "rouge_l"));
    }

    [Fact]
    public void Score_MissingHypothesisFile_ExitsOneNamingTheFile()
    {
        string refs = WriteLines("ref.txt", ["a b c"]);
        string missing = Path.Combine(_dir, "missing-hyp.txt");

        CliResult result = Score(["--hyp", missing, "--ref", refs]);

        AssertCleanFailure(result, missing, "not found");
        Assert.Contains("--hyp", result.Error);
    }

    [Fact]
    public void Score_MissingReferenceFile_ExitsOneNamingTheFile()
    {
        string hyp = WriteLines("hyp.txt", ["a b c"]);
        string missing = Path.Combine(_dir, "no-such-dir", "ref.txt");

        CliResult result = Score(["--hyp", hyp, "--ref", missing]);

        AssertCleanFailure(result, missing, "not found");
        Assert.Contains("--ref", result.Error);
    }

    [Fact]
    public void Score_LineCountMismatch_ExitsOneNamingBothFilesAndCounts()
    {
        string hyp = WriteLines("hyp.txt", ["a b c", "d e f", "g"]);
        string good = WriteLines("ref1.txt", ["a b c", "d e f", "g"]);
        string bad = WriteLines("ref2.txt", ["a b c", "d e f"]);

        CliResult result = Score(["--hyp", hyp, "--ref", good, "--ref", bad]);

        AssertCleanFailure(result, bad, "3 lines");
        Assert.Contains(hyp, result.Error);
        Assert.Contains("has 2", result.Error);
    }

    [Fact]
    public void Score_InvalidUtf8_ExitsOneNamingTheFile()
    {
        string hyp = Path.Combine(_dir, "latin1.txt");
        File.WriteAllBytes(hyp, Encoding.Latin1.GetBytes("über\n"));
        string refs = WriteLines("ref.txt", ["über"]);

        CliResult result = Score(["--hyp", hyp, "--ref", refs]);

        AssertCleanFailure(result, hyp, "UTF-8");
    }

    [Fact]
    public void Score_EmptyHypothesisFile_ExitsOne()
    {
        string hyp = Path.Combine(_dir, "empty.txt");
        File.WriteAllText(hyp, "");
        string refs = Path.Combine(_dir, "empty-ref.txt");
        File.WriteAllText(refs, "");

        CliResult result = Score(["--hyp", hyp, "--ref", refs]);

        AssertCleanFailure(result, hyp, "empty");
    }

    [Fact]
    public void Score_NoReferenceOption_ReportsUsageError()
    {
        string hyp = WriteLines("hyp.txt", ["a"]);

        CliResult result = Score(["--hyp", hyp]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--ref", result.Error);
        Assert.DoesNotContain(" at PhoenixSlt", result.Error);
    }

    [Fact]
    public void Score_UnknownTokenizer_ReportsTheChoices()
    {
        string hyp = WriteLines("hyp.txt", ["a"]);

        CliResult result = Score(["--hyp", hyp, "--ref", hyp, "--tokenize", "zh"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("intl", result.Error);
    }

    [Theory]
    [InlineData("a\nb\n", new[] { "a", "b" })]
    [InlineData("a\nb", new[] { "a", "b" })]
    [InlineData("a\r\nb\r\n", new[] { "a", "b" })]
    [InlineData("a\rb\n", new[] { "a\rb" })]          // no universal newlines: a lone CR stays (as sacrebleu reads)
    [InlineData("\n", new[] { "" })]
    [InlineData("a\n\nb\n", new[] { "a", "", "b" })]
    [InlineData("\uFEFFa\n", new[] { "\uFEFFa" })]    // Python's utf-8 codec keeps a BOM
    public void SplitLines_Content_SplitsLikeSacrebleuReadlines(string content, string[] expected)
    {
        Assert.Equal(expected, ScoreCommand.SplitLines(content));
    }

    [Fact]
    public void SplitLines_EmptyContent_HasNoLines()
    {
        Assert.Empty(ScoreCommand.SplitLines(""));
    }

    private static CliResult Score(string[] args) => CliRunner.Run(ScoreCommand.Create(), ["score", .. args]);

    private static void AssertCleanFailure(CliResult result, string path, string problem)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains(path, result.Error);
        Assert.Contains(problem, result.Error);
        Assert.DoesNotContain("Exception", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    private static JsonElement Case(string prefix) =>
        Cases.Value.EnumerateArray().Single(c => c.GetProperty("id").GetString()!.StartsWith(prefix + "-", StringComparison.Ordinal));

    private (string Hyp, string[] Refs) WriteCase(JsonElement c, string newline = "\n", string tag = "lf")
    {
        string id = c.GetProperty("id").GetString()!;
        string hyp = WriteLines($"{id}.{tag}.hyp", Strings(c.GetProperty("hyps")), newline);
        string[] refs = [.. c.GetProperty("refs").EnumerateArray()
            .Select((stream, k) => WriteLines($"{id}.{tag}.ref{k}", Strings(stream), newline))];
        return (hyp, refs);
    }

    private string WriteLines(string name, IEnumerable<string> lines, string newline = "\n")
    {
        string path = Path.Combine(_dir, name);
        var builder = new StringBuilder();
        foreach (string line in lines)
        {
            Assert.DoesNotContain('\n', line);   // a fixture line must stay one file line
            builder.Append(line).Append(newline);
        }
        File.WriteAllText(path, builder.ToString(), new UTF8Encoding(false));
        return path;
    }

    private static IEnumerable<string> Flags(JsonElement settings)
    {
        yield return "--tokenize";
        yield return settings.GetProperty("tokenize").GetString()!;
        yield return "--smooth-method";
        yield return settings.GetProperty("smooth_method").GetString()!;
        if (settings.GetProperty("smooth_value").ValueKind == JsonValueKind.Number)
        {
            yield return "--smooth-value";
            yield return settings.GetProperty("smooth_value").GetRawText();
        }
        if (settings.GetProperty("lowercase").GetBoolean()) yield return "--lowercase";
        if (settings.GetProperty("use_effective_order").GetBoolean()) yield return "--effective-order";
    }

    private static string ChrfLine(JsonElement chrf)
    {
        string str = chrf.GetProperty("str").GetString()!;   // "chrF2 = 52.89"
        int eq = str.IndexOf(" = ", StringComparison.Ordinal);
        return $"{str[..eq]}|{chrf.GetProperty("signature").GetString()}{str[eq..]}";
    }

    private static string[] Keys(JsonElement obj) => [.. obj.EnumerateObject().Select(p => p.Name)];

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static double Score(JsonElement root, string metric) => root.GetProperty(metric).GetProperty("score").GetDouble();

    private static double ExpectedScore(JsonElement expected, string metric) =>
        expected.GetProperty(metric).GetProperty("score").GetDouble();
}
