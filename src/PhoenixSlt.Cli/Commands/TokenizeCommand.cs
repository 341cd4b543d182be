using System.CommandLine;
using System.Text.Json;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Cli.Commands;

/// What `phoenix-slt tokenize` was asked to do.
/// <param name="SentencePieceModel">mBART SentencePiece model (--spm), or null.</param>
/// <param name="Vocabulary">Corpus vocabulary JSON (--vocab), or null.</param>
/// <param name="Language">Language code appended after &lt;/s&gt; when encoding.</param>
/// <param name="Decode">Read id arrays and print text instead of encoding text.</param>
public sealed record TokenizeOptions(string? SentencePieceModel, string? Vocabulary, string Language, bool Decode);

/// <summary>
/// <c>phoenix-slt tokenize --spm FILE | --vocab FILE [--lang de_DE] [--decode]</c>: reads standard input line by
/// line. Without --decode every line is text and the output line is its JSON id array (text ids, &lt;/s&gt;, language);
/// with --decode every line is a JSON id array and the output line is its text (special tokens removed).
/// Exit code 0 on success, 1 on any error (message on standard error).
/// </summary>
public static class TokenizeCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    private const string Name = "tokenize";

    /// <param name="input">Where lines are read from; standard input when null.</param>
    public static Command Create(TextReader? input = null)
    {
        var spm = new Option<string?>("--spm")
        {
            Description = "SentencePiece model of an mBART checkpoint (sentencepiece.bpe.model).",
            HelpName = "FILE",
        };
        var vocab = new Option<string?>("--vocab")
        {
            Description = "Corpus vocabulary written by phoenix-slt (tokenizer.json).",
            HelpName = "FILE",
        };
        var lang = new Option<string>("--lang")
        {
            Description = "Language code appended after </s> when encoding.",
            HelpName = "CODE",
            DefaultValueFactory = _ => SpecialTokens.DefaultLanguage,
        };
        var decode = new Option<bool>("--decode")
        {
            Description = "Read JSON arrays of token ids (one per line) and print their text without special tokens.",
        };
        var command = new Command(Name,
            "Encode text lines from standard input to JSON id arrays (one per line), or decode id arrays with --decode.")
        {
            spm, vocab, lang, decode,
        };
        command.SetAction(parseResult => Run(
            new TokenizeOptions(parseResult.GetValue(spm), parseResult.GetValue(vocab),
                parseResult.GetValue(lang) ?? SpecialTokens.DefaultLanguage, parseResult.GetValue(decode)),
            input ?? Console.In,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    /// Runs the command on <paramref name="input"/>; returns the exit code.
    public static int Run(TokenizeOptions options, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            ISltTokenizer tokenizer = LoadTokenizer(options);
            if (options.Decode)
                DecodeLines(tokenizer, input, output);
            else
                EncodeLines(tokenizer, options.Language, input, output);
            return ExitOk;
        }
        catch (TokenizeInputException e)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return ExitError;
        }
        catch (PhoenixDataException e)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return ExitError;
        }
    }

    private static ISltTokenizer LoadTokenizer(TokenizeOptions options)
    {
        bool hasSpm = !string.IsNullOrWhiteSpace(options.SentencePieceModel);
        bool hasVocab = !string.IsNullOrWhiteSpace(options.Vocabulary);
        if (hasSpm == hasVocab)
            throw new TokenizeInputException(hasSpm
                ? "pass either --spm or --vocab, not both"
                : "pass --spm FILE (mBART sentencepiece.bpe.model) or --vocab FILE (corpus tokenizer.json)");
        return hasSpm
            ? MBartTokenizer.Load(RequireFile(options.SentencePieceModel!, "--spm"))
            : CorpusTokenizer.Load(RequireFile(options.Vocabulary!, "--vocab"));
    }

    private static string RequireFile(string path, string option) =>
        File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new TokenizeInputException($"{option} {path}: file not found");

    private static void EncodeLines(ISltTokenizer tokenizer, string language, TextReader input, TextWriter output)
    {
        if (!tokenizer.TryGetLanguageId(language, out _))
            throw new TokenizeInputException(
                $"unknown language code '{language}' (--lang); valid codes: {string.Join(", ", tokenizer.LanguageCodes)}");
        while (input.ReadLine() is string line)
            output.WriteLine(JsonSerializer.Serialize(tokenizer.Encode(line, language)));
    }

    private static void DecodeLines(ISltTokenizer tokenizer, TextReader input, TextWriter output)
    {
        int lineNumber = 0;
        while (input.ReadLine() is string line)
        {
            lineNumber++;
            int[] ids = ParseIds(line, lineNumber);
            foreach (int id in ids)
                if (id < 0 || id >= tokenizer.VocabSize)
                    throw new TokenizeInputException(
                        $"line {lineNumber}: token id {id} is outside the vocabulary [0, {tokenizer.VocabSize})");
            output.WriteLine(tokenizer.Decode(ids));
        }
    }

    private static int[] ParseIds(string line, int lineNumber)
    {
        const string Expected = "expected a JSON array of token ids such as [18,202,2,1003]";
        if (string.IsNullOrWhiteSpace(line))
            throw new TokenizeInputException($"line {lineNumber}: empty line; {Expected}");
        try
        {
            return JsonSerializer.Deserialize<int[]>(line)
                ?? throw new TokenizeInputException($"line {lineNumber}: null; {Expected}");
        }
        catch (JsonException e)
        {
            throw new TokenizeInputException($"line {lineNumber}: {Expected} ({e.Message})");
        }
    }

    /// A problem with the command line or the input lines; the message is printed as is.
    private sealed class TokenizeInputException(string message) : Exception(message);
}
