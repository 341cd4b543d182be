using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Cli.Commands;

/// What `phoenix-slt mbart generate` was asked to do (null = the model's generation config decides).
/// <param name="Model">Hugging Face mBART folder (config.json, model.safetensors, optional generation_config.json
/// and sentencepiece.bpe.model).</param>
/// <param name="InputsEmbeds">.npy (B, S, d_model) or (S, d_model) float encoder inputs, or null.</param>
/// <param name="InputIds">.npy (B, S) or (S) integer source ids, or null.</param>
/// <param name="Mask">.npy attention mask matching the inputs (1 = real, 0 = padding), or null.</param>
/// <param name="Texts">Source sentences, tokenized with the folder's SentencePiece model.</param>
/// <param name="Language">Language code of <paramref name="Texts"/>; also the decoder start token when neither
/// --decoder-start nor the model names one (mbart-large-cc25 starts with the target language code).</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
public sealed record MBartGenerateOptions(
    string Model,
    string? InputsEmbeds,
    string? InputIds,
    string? Mask,
    IReadOnlyList<string> Texts,
    string Language,
    int? Beams,
    int? MaxNewTokens,
    double? LengthPenalty,
    int? DecoderStart,
    bool NoEarlyStopping,
    string Device,
    bool Json);

/// The JSON printed by `phoenix-slt mbart generate --json`.
/// <param name="Sequences">One row per input: decoder start token, generated ids, right-padded with pad.</param>
/// <param name="Scores">Beam search: length-penalised score per row; greedy search: null.</param>
public sealed record MBartGenerateResult(
    [property: JsonPropertyName("sequences")] IReadOnlyList<long[]> Sequences,
    [property: JsonPropertyName("scores")] float[]? Scores);

/// <summary>
/// <c>phoenix-slt mbart</c>: tools for Hugging Face mBART checkpoints. <c>generate</c> decodes with greedy or beam
/// search exactly as transformers 4.40's generate does. Exit code 0 on success, 1 on any error (message on
/// standard error).
/// </summary>
public static partial class MBartCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    private const string Name = "mbart";

    public static Command Create()
    {
        return new Command(Name, "Hugging Face mBART checkpoints: generation with transformers' beam search semantics.")
        {
            CreateGenerate(),
            MBartTrimCommand.Create(),
        };
    }

    /// Runs `mbart generate`; returns the exit code.
    public static int RunGenerate(MBartGenerateOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var device = ParseDevice(options.Device);
            CheckInputChoice(options);
            var (model, _) = MBartPretrained.Load(options.Model, device);
            using (model)
            {
                // TokenizerFactory picks a trimmed vocabulary (vocab_trim.json) over the untrimmed model beside it.
                ISltTokenizer? tokenizer = MBartPretrained.FindTokenizer(options.Model) is not null ? TokenizerFactory.Load(options.Model) : null;
                using var scope = NewDisposeScope();
                var inputs = ReadInputs(options, model.Config, tokenizer);
                var config = GenerationConfigFor(options, model, tokenizer);
                using var result = new SequenceGenerator(model).Generate(inputs, config);
                Print(result, tokenizer, options.Json, output);
            }
            return ExitOk;
        }
        catch (Exception e) when (e is MBartInputException or CheckpointFormatException or PhoenixDataException or InvalidGenerationConfigException)
        {
            error.WriteLine($"{Name} generate: {e.Message}");
            return ExitError;
        }
    }

    private static Command CreateGenerate()
    {
        var model = new Option<string>("--model")
        {
            Description = "Hugging Face mBART folder: config.json, model.safetensors (+ generation_config.json, sentencepiece.bpe.model).",
            HelpName = "DIR",
            Required = true,
        };
        var embeds = new Option<string?>("--inputs-embeds")
        {
            Description = "Encoder inputs: .npy float array (B, S, d_model), fed to the encoder unscaled.",
            HelpName = "X.npy",
        };
        var ids = new Option<string?>("--input-ids") { Description = "Source token ids: .npy integer array (B, S).", HelpName = "I.npy" };
        var mask = new Option<string?>("--mask") { Description = "Attention mask for --inputs-embeds/--input-ids: .npy (B, S), 1 = real, 0 = padding.", HelpName = "M.npy" };
        var text = new Option<string[]>("--text")
        {
            Description = "Source sentence (repeat for a batch), tokenized with the folder's sentencepiece.bpe.model.",
            HelpName = "TEXT",
        };
        var lang = new Option<string>("--lang")
        {
            Description = "Language code of --text; also the decoder start token when neither --decoder-start nor the model gives one.",
            HelpName = "CODE",
            DefaultValueFactory = _ => SpecialTokens.DefaultLanguage,
        };
        var beams = new Option<int?>("--beams") { Description = "Number of beams (1 = greedy). Default: the model's generation config.", HelpName = "N" };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Tokens to generate after the start token at most (the last is forced to EOS).", HelpName = "K" };
        var lengthPenalty = new Option<double?>("--length-penalty") { Description = "Beam scores are divided by length ** L (default: generation config, 1.0).", HelpName = "L" };
        var decoderStart = new Option<int?>("--decoder-start") { Description = "Decoder start token id (e.g. the de_DE language code).", HelpName = "ID" };
        var noEarlyStopping = new Option<bool>("--no-early-stopping")
        {
            Description = "Beam search: keep searching after num_beams hypotheses finished (transformers' early_stopping=False); default is early_stopping=True.",
        };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", HelpName = "DEVICE", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print {\"sequences\": [[ids…], …], \"scores\": […]} instead of text." };

        var command = new Command("generate", "Generate token sequences with greedy or beam search (transformers 4.40 generate semantics).")
        {
            model, embeds, ids, mask, text, lang, beams, maxNew, lengthPenalty, decoderStart, noEarlyStopping, device, json,
        };
        command.SetAction(parseResult => RunGenerate(
            new MBartGenerateOptions(
                parseResult.GetValue(model)!,
                parseResult.GetValue(embeds),
                parseResult.GetValue(ids),
                parseResult.GetValue(mask),
                parseResult.GetValue(text) ?? [],
                parseResult.GetValue(lang) ?? SpecialTokens.DefaultLanguage,
                parseResult.GetValue(beams),
                parseResult.GetValue(maxNew),
                parseResult.GetValue(lengthPenalty),
                parseResult.GetValue(decoderStart),
                parseResult.GetValue(noEarlyStopping),
                parseResult.GetValue(device) ?? "cpu",
                parseResult.GetValue(json)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static Device ParseDevice(string text)
    {
        if (!DevicePattern().IsMatch(text))
            throw new MBartInputException($"--device '{text}' is not valid; use cpu, cuda or cuda:N");
        if (text.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new MBartInputException($"--device {text}: CUDA is not available on this machine (or this build is CPU-only); use --device cpu");
            int index = text.Length > 4 ? int.Parse(text[5..], CultureInfo.InvariantCulture) : 0;
            if (index >= cuda.device_count())
                throw new MBartInputException($"--device {text}: only {cuda.device_count()} CUDA device(s) found");
        }
        return torch.device(text);
    }

    private static void CheckInputChoice(MBartGenerateOptions options)
    {
        int given = (options.InputsEmbeds is null ? 0 : 1) + (options.InputIds is null ? 0 : 1) + (options.Texts.Count == 0 ? 0 : 1);
        if (given != 1)
            throw new MBartInputException("give exactly one input: --inputs-embeds X.npy, --input-ids I.npy, or --text \"…\"");
        if (options.Mask is not null && options.Texts.Count > 0)
            throw new MBartInputException("--mask goes with --inputs-embeds or --input-ids; --text builds its own mask");
        if (!Directory.Exists(options.Model))
            throw new MBartInputException($"--model {options.Model}: folder not found; give a folder with config.json and model.safetensors");
    }

    private static GenerationInputs ReadInputs(MBartGenerateOptions options, MBartConfig config, ISltTokenizer? tokenizer)
    {
        if (options.Texts.Count > 0)
        {
            if (tokenizer is null)
                throw new MBartInputException($"--text needs {MBartPretrained.TokenizerFileName} in {options.Model}; pass --input-ids instead");
            if (!tokenizer.TryGetLanguageId(options.Language, out _))
                throw new MBartInputException($"--lang: unknown language code '{options.Language}'; valid codes: {string.Join(", ", tokenizer.LanguageCodes)}");
            var batch = tokenizer.EncodeBatch(options.Texts, options.Language);
            return GenerationInputs.FromIds(
                tensor(batch.InputIds, [batch.BatchSize, batch.SequenceLength]),
                tensor(batch.AttentionMask, [batch.BatchSize, batch.SequenceLength]));
        }
        if (options.InputIds is string idsPath)
        {
            var ids = AsBatch(NpyIntegerFile.Read(idsPath), 2, idsPath, "(B, S) token ids");
            foreach (long id in ids.Data)
                if (id < 0 || id >= config.VocabSize)
                    throw new PhoenixDataException(idsPath, $"token id {id} is outside the vocabulary [0, {config.VocabSize}) of the model");
            var idsTensor = tensor(ids.Data, [ids.Shape[0], ids.Shape[1]]);
            return GenerationInputs.FromIds(idsTensor, ReadMask(options.Mask, ids.Shape));
        }
        string embedsPath = options.InputsEmbeds!;
        var embeds = NpyFile.Read(embedsPath);
        int[] shape = embeds.Rank == 2 ? [1, .. embeds.Shape] : embeds.Shape;
        if (shape.Length != 3 || shape[2] != config.DModel || shape[1] == 0 || shape[0] == 0)
            throw new PhoenixDataException(embedsPath, $"shape {embeds.ShapeText} does not fit: inputs_embeds must be (B, S, d_model) with d_model = {config.DModel} for this model");
        var embedsTensor = tensor(embeds.Data, [shape[0], shape[1], shape[2]]);
        return GenerationInputs.FromEmbeds(embedsTensor, ReadMask(options.Mask, [shape[0], shape[1]]));
    }

    private static Tensor? ReadMask(string? path, int[] inputShape)
    {
        if (path is null)
            return null;
        var mask = AsBatch(NpyIntegerFile.Read(path), 2, path, "(B, S) attention mask");
        if (mask.Shape[0] != inputShape[0] || mask.Shape[1] != inputShape[1])
            throw new PhoenixDataException(path, $"mask shape {mask.ShapeText} does not match the inputs ({inputShape[0]}, {inputShape[1]})");
        if (mask.Data.Any(v => v is not (0 or 1)))
            throw new PhoenixDataException(path, "an attention mask may only hold 0 (padding) and 1 (real position)");
        for (int row = 0; row < inputShape[0]; row++)
            if (!mask.Data.AsSpan(row * inputShape[1], inputShape[1]).Contains(1L))
                throw new PhoenixDataException(path, $"row {row} of the mask has no real position; every input needs at least one");
        return tensor(mask.Data, [inputShape[0], inputShape[1]]);
    }

    /// A 1-D array becomes a batch of one; otherwise the rank must be <paramref name="rank"/>.
    private static NpyIntegerArray AsBatch(NpyIntegerArray array, int rank, string path, string what)
    {
        if (array.Shape.Length == rank - 1)
            array = array with { Shape = [1, .. array.Shape] };
        if (array.Shape.Length != rank || array.Shape.Any(d => d == 0))
            throw new PhoenixDataException(path, $"shape {array.ShapeText} does not fit: expected a non-empty {what} array");
        return array;
    }

    private static GenerationConfig GenerationConfigFor(MBartGenerateOptions options, MBartForConditionalGeneration model, ISltTokenizer? tokenizer)
    {
        var config = GenerationConfig.Load(options.Model, model);
        int? start = options.DecoderStart ?? config.DecoderStartTokenId ?? model.DecoderStartTokenId;
        if (start is null && tokenizer is not null && tokenizer.TryGetLanguageId(options.Language, out int languageId))
            start = languageId;
        return config with
        {
            NumBeams = options.Beams ?? config.NumBeams,
            MaxNewTokens = options.MaxNewTokens ?? config.MaxNewTokens,
            LengthPenalty = options.LengthPenalty ?? config.LengthPenalty,
            DecoderStartTokenId = start,
            EarlyStopping = options.NoEarlyStopping ? EarlyStopping.Heuristic : EarlyStopping.OnBeamsFinished,
        };
    }

    private static void Print(GenerationOutput result, ISltTokenizer? tokenizer, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new MBartGenerateResult(result.Sequences, result.SequenceScores)));
            return;
        }
        for (int row = 0; row < result.BatchSize; row++)
        {
            var ids = result.Sequences[row];
            string score = result.SequenceScores is { } scores ? scores[row].ToString("F4", CultureInfo.InvariantCulture) : "-";
            string line = $"{row}\t{score}\t{string.Join(' ', ids)}";
            if (tokenizer is not null)
                line += $"\t{tokenizer.Decode(ids.Select(id => (int)id))}";
            output.WriteLine(line);
        }
    }

    [GeneratedRegex(@"^(cpu|cuda(:\d+)?)$")]
    private static partial Regex DevicePattern();

    /// A problem with the command line or its input files; the message is printed as is.
    private sealed class MBartInputException(string message) : Exception(message);
}
