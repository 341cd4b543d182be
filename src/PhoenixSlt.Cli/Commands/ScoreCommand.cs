using System.CommandLine;
using System.Text;
using System.Text.Json;
using PhoenixSlt.Core.Metrics;

namespace PhoenixSlt.Cli.Commands;

/// <summary>
/// <c>phoenix-slt score</c>: scores a hypothesis file against one or more reference files with sacrebleu 2.6.0
/// BLEU / chrF2 / chrF++, SLT ROUGE-L and the signjoey BLEU-1..4 most Phoenix-2014T papers report.
/// </summary>
public static class ScoreCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var hyp = new Option<string>("--hyp")
        {
            Description = "Hypothesis file: one translation per line (UTF-8).",
            HelpName = "FILE",
            Required = true,
        };
        var refs = new Option<string[]>("--ref")
        {
            Description = "Reference file, one line per hypothesis line; repeat for several references.",
            HelpName = "FILE",
            Required = true,
        };
        var tokenize = new Option<string>("--tokenize")
        {
            Description = "BLEU tokenizer (sacrebleu names).",
            DefaultValueFactory = _ => "13a",
        };
        tokenize.AcceptOnlyFromAmong([.. BleuTokenizers.Names]);
        var lowercase = new Option<bool>("--lowercase") { Description = "Lowercase before BLEU (Python str.lower())." };
        var smoothMethod = new Option<string>("--smooth-method")
        {
            Description = "BLEU smoothing method.",
            DefaultValueFactory = _ => "exp",
        };
        smoothMethod.AcceptOnlyFromAmong([.. BleuSmoothings.Names]);
        var smoothValue = new Option<double?>("--smooth-value")
        {
            Description = "Value for floor (default 0.1) or add-k (default 1); ignored by exp and none.",
            HelpName = "X",
        };
        var effectiveOrder = new Option<bool>("--effective-order")
        {
            Description = "Corpus BLEU over the n-gram orders present only (sacrebleu's effective order).",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };

        var command = new Command("score", "Score translations: sacrebleu 2.6.0 BLEU, chrF2, chrF++, ROUGE-L and SLT BLEU-1..4.")
        {
            hyp, refs, tokenize, lowercase, smoothMethod, smoothValue, effectiveOrder, json,
        };
        command.SetAction(parseResult =>
        {
            var options = new BleuOptions
            {
                Tokenize = BleuTokenizers.Parse(parseResult.GetValue(tokenize)!),
                Lowercase = parseResult.GetValue(lowercase),
                SmoothMethod = BleuSmoothings.Parse(parseResult.GetValue(smoothMethod)!),
                SmoothValue = parseResult.GetValue(smoothValue),
                UseEffectiveOrder = parseResult.GetValue(effectiveOrder),
            };
            return Run(
                parseResult.GetValue(hyp)!,
                parseResult.GetValue(refs) ?? [],
                options,
                parseResult.GetValue(json),
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Reads the files, scores them and prints the result; returns the exit code.</summary>
    public static int Run(string hypPath, IReadOnlyList<string> refPaths, BleuOptions options, bool asJson,
        TextWriter output, TextWriter error)
    {
        try
        {
            IReadOnlyList<string> hypotheses = ReadLines(hypPath, "hypothesis");
            if (hypotheses.Count == 0)
                throw new ScoreInputException($"hypothesis file '{hypPath}' is empty; it needs one translation per line.");
            var streams = new List<IReadOnlyList<string?>>(refPaths.Count);
            foreach (string refPath in refPaths)
            {
                IReadOnlyList<string> references = ReadLines(refPath, "reference");
                if (references.Count != hypotheses.Count)
                    throw new ScoreInputException(
                        $"line counts differ: hypothesis file '{hypPath}' has {hypotheses.Count} lines but reference " +
                        $"file '{refPath}' has {references.Count}. Every reference file needs one line per hypothesis line.");
                streams.Add(references);
            }

            MetricSuiteResult result = Score(hypotheses, streams, options);
            output.WriteLine(asJson ? FormatJson(result) : FormatText(result));
            return 0;
        }
        catch (ScoreInputException e)
        {
            error.WriteLine($"score: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Splits file content into lines the way sacrebleu's command line reads its files
    /// (<c>open(path, encoding="utf-8", newline="\n")</c> + <c>readlines()</c>): lines end at <c>\n</c> only and
    /// a final line break does not start another line. This is not Python's universal-newlines mode, so a lone
    /// <c>\r</c> inside a line stays there. One trailing <c>\r</c> (CRLF files) is dropped: BLEU (<c>rstrip()</c>)
    /// and chrF (whitespace removed) score identically either way, and ROUGE-L, which splits on single spaces
    /// only, would otherwise glue the <c>\r</c> to the last word. A UTF-8 byte order mark is kept, as Python's
    /// <c>utf-8</c> codec keeps it.
    /// </summary>
    public static IReadOnlyList<string> SplitLines(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0) return [];
        if (content.EndsWith('\n')) content = content[..^1];
        return [.. content.Split('\n').Select(line => line.EndsWith('\r') ? line[..^1] : line)];
    }

    /// <summary>Human-readable report, one metric per line, sacrebleu style for BLEU and chrF.</summary>
    public static string FormatText(MetricSuiteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        SltScores slt = result.Slt;
        string sltBleu = string.Join(" / ", new[] { slt.Bleu1, slt.Bleu2, slt.Bleu3, slt.Bleu4 }.Select(b => PythonFormat.Fixed(b, 2)));
        return string.Join(Environment.NewLine,
            result.Bleu.ToStringWithSignature(),
            result.Chrf.ToStringWithSignature(),
            result.ChrfPlusPlus.ToStringWithSignature(),
            $"ROUGE-L (SLT: split on ' ', LCS, beta 1.2) = {PythonFormat.Fixed(result.RougeL.Score, 2)}",
            $"SLT BLEU-1..4 (signjoey: sacrebleu 1.4.2 raw_corpus_bleu, first reference) = {sltBleu}");
    }

    /// <summary>
    /// One JSON object: <c>{"bleu":{"score","counts","totals","precisions","bp","sys_len","ref_len"},
    /// "chrf":{"score"},"chrf_plus_plus":{"score"},"rouge_l":{"score"},"slt":{"bleu1".."bleu4"}}</c>.
    /// Doubles are written in shortest round-trip form.
    /// </summary>
    public static string FormatJson(MetricSuiteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("bleu");
            writer.WriteNumber("score", result.Bleu.Score);
            WriteNumbers(writer, "counts", result.Bleu.Counts);
            WriteNumbers(writer, "totals", result.Bleu.Totals);
            WriteNumbers(writer, "precisions", result.Bleu.Precisions);
            writer.WriteNumber("bp", result.Bleu.Bp);
            writer.WriteNumber("sys_len", result.Bleu.SysLen);
            writer.WriteNumber("ref_len", result.Bleu.RefLen);
            writer.WriteEndObject();
            WriteScore(writer, MetricNames.Chrf, result.Chrf.Score);
            WriteScore(writer, "chrf_plus_plus", result.ChrfPlusPlus.Score);
            WriteScore(writer, MetricNames.RougeL, result.RougeL.Score);
            writer.WriteStartObject("slt");
            writer.WriteNumber(MetricNames.Bleu1, result.Slt.Bleu1);
            writer.WriteNumber(MetricNames.Bleu2, result.Slt.Bleu2);
            writer.WriteNumber(MetricNames.Bleu3, result.Slt.Bleu3);
            writer.WriteNumber(MetricNames.Bleu4, result.Slt.Bleu4);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteScore(Utf8JsonWriter writer, string name, double score)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("score", score);
        writer.WriteEndObject();
    }

    // Counts and totals are whole numbers except under fractional add-k; whole values are written without ".0".
    private static void WriteNumbers(Utf8JsonWriter writer, string name, IReadOnlyList<double> values)
    {
        writer.WriteStartArray(name);
        foreach (double value in values)
        {
            if (value == Math.Floor(value) && Math.Abs(value) < 9.007199254740992E15) writer.WriteNumberValue((long)value);
            else writer.WriteNumberValue(value);
        }
        writer.WriteEndArray();
    }

    private static MetricSuiteResult Score(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> streams, BleuOptions options)
    {
        try
        {
            return MetricSuite.Score(hypotheses, streams, options);
        }
        catch (ArgumentException e)
        {
            string parameter = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
            throw new ScoreInputException(e.Message.Replace(parameter, "", StringComparison.Ordinal));
        }
    }

    private static IReadOnlyList<string> ReadLines(string path, string role)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ScoreInputException($"{role} file not found: '{path}'. Check the path given to --{Flag(role)}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ScoreInputException($"cannot read {role} file '{path}': {e.Message}");
        }

        try
        {
            return SplitLines(StrictUtf8.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            throw new ScoreInputException($"{role} file '{path}' is not valid UTF-8. Convert it to UTF-8 and try again.");
        }
    }

    private static string Flag(string role) => role == "hypothesis" ? "hyp" : "ref";

    /// <summary>A problem with the user's files, reported on stderr without a stack trace.</summary>
    private sealed class ScoreInputException(string message) : Exception(message);
}
