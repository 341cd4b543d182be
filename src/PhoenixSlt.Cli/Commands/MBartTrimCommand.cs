using System.CommandLine;
using System.Globalization;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Cli.Commands;

/// What `phoenix-slt mbart trim` was asked to do.
/// <param name="Model">Hugging Face mBART folder (config.json, model.safetensors or shards, sentencepiece.bpe.model).</param>
/// <param name="Corpora">PHOENIX annotation CSVs (official or plain) or text files with one sentence per line.</param>
/// <param name="Languages">Language codes to keep besides de_DE.</param>
/// <param name="Out">Folder to write the trimmed model to.</param>
/// <param name="Force">Replace an existing --out folder.</param>
public sealed record MBartTrimOptions(string Model, IReadOnlyList<string> Corpora, IReadOnlyList<string> Languages, string Out, bool Force);

/// <summary>
/// <c>phoenix-slt mbart trim --model DIR --corpus FILE [--corpus FILE…] [--lang CODE…] --out DIR [--force]</c>:
/// shrinks an mBART checkpoint's vocabulary (shared embeddings, LM head, final_logits_bias) to the tokens of the
/// training corpus plus the special tokens and the language codes, and writes a folder that loads like any mBART
/// folder, with a remapped tokenizer (vocab_trim.json). Prints the kept vocabulary size and the parameter savings.
/// Exit code 0 on success, 1 on any error (message on standard error).
/// </summary>
public static class MBartTrimCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    private const string Name = "mbart trim";

    /// The `trim` subcommand of `mbart`.
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = "Hugging Face mBART folder: config.json, model.safetensors (or shards) and sentencepiece.bpe.model.",
            HelpName = "DIR",
            Required = true,
        };
        var corpus = new Option<string[]>("--corpus")
        {
            Description = "Training sentences: a PHOENIX annotation CSV (official or name,translation) or a text file with one sentence per line. Repeat for several files.",
            HelpName = "FILE",
            Required = true,
        };
        var lang = new Option<string[]>("--lang")
        {
            Description = "Language code to keep (repeatable); de_DE is always kept.",
            HelpName = "CODE",
            DefaultValueFactory = _ => [SpecialTokens.DefaultLanguage],
        };
        var output = new Option<string>("--out")
        {
            Description = "Folder for the trimmed model (written atomically).",
            HelpName = "DIR",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing --out folder." };

        var command = new Command("trim", "Trim an mBART checkpoint's vocabulary to the tokens of a training corpus (as GFSLT-VLP does for mbart-large-cc25).")
        {
            model, corpus, lang, output, force,
        };
        command.SetAction(parseResult => Run(
            new MBartTrimOptions(
                parseResult.GetValue(model)!,
                parseResult.GetValue(corpus) ?? [],
                parseResult.GetValue(lang) ?? [],
                parseResult.GetValue(output)!,
                parseResult.GetValue(force)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    /// Runs `mbart trim`; returns the exit code.
    public static int Run(MBartTrimOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? problem = OptionsProblem(options);
        if (problem is not null)
        {
            error.WriteLine($"{Name}: {problem}");
            return ExitError;
        }
        try
        {
            var sentences = options.Corpora.SelectMany(TrimCorpusReader.Read).ToList();
            var report = VocabularyTrimmer.TrimFolder(options.Model, sentences, options.Out, options.Languages, options.Force);
            Print(report, options.Corpora.Count, output);
            return ExitOk;
        }
        catch (CheckpointExistsException e)
        {
            error.WriteLine($"{Name}: {e.Folder}: already exists; use --force to replace it or choose another --out");
            return ExitError;
        }
        catch (Exception e) when (e is CheckpointFormatException or PhoenixDataException)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return ExitError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{Name}: cannot write {options.Out}: {e.Message}");
            return ExitError;
        }
    }

    private static string? OptionsProblem(MBartTrimOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Model))
            return "--model DIR is required";
        if (!Directory.Exists(options.Model))
            return $"--model {options.Model}: folder not found; give the mBART folder holding config.json, model.safetensors and sentencepiece.bpe.model";
        if (options.Corpora.Count == 0)
            return "give at least one --corpus FILE (PHOENIX annotation CSV or one sentence per line)";
        if (string.IsNullOrWhiteSpace(options.Out))
            return "--out DIR is required";
        if (string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Out)),
                Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Model)), StringComparison.Ordinal))
            return "--out must differ from --model (the original model is kept)";
        var unknown = options.Languages.Where(code => !SpecialTokens.FairseqLanguageCodes.Contains(code, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            return $"unknown language code(s) {string.Join(", ", unknown)} (--lang); valid codes: {string.Join(", ", SpecialTokens.FairseqLanguageCodes)}";
        return null;
    }

    private static void Print(VocabularyTrimReport report, int files, TextWriter output)
    {
        output.WriteLine(
            $"vocabulary: kept {N(report.KeptVocabSize)} of {N(report.OriginalVocabSize)} tokens " +
            $"({Percent((double)report.KeptVocabSize / report.OriginalVocabSize)}): 4 special, {N(report.KeptPieces)} pieces, " +
            $"{report.KeptLanguages.Count} language code(s) ({string.Join(", ", report.KeptLanguages)}), <mask>");
        output.WriteLine(
            $"parameters: {N(report.OriginalParameters)} -> {N(report.TrimmedParameters)} " +
            $"(saved {N(report.SavedParameters)}, {Percent(report.SavedFraction)})");
        output.WriteLine($"corpus: {N(report.Sentences)} sentences from {files} file(s), {N(report.UnknownTokens)} <unk> tokens");
        output.WriteLine($"written: {report.OutputFolder}");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
