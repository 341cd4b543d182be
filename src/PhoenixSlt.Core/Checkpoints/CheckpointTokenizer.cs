using System.Text.Json;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Checkpoints;

/// Loads the tokenizer of a checkpoint or model folder, whichever of the three kinds it holds: a trimmed mBART
/// vocabulary (<see cref="TrimmedTokenizer.MappingFileName"/> beside sentencepiece.bpe.model; checked first, because
/// such a folder also holds the untrimmed SentencePiece model), an mBART SentencePiece model or a corpus
/// vocabulary (<see cref="TokenizerFactory"/>). A checkpoint.json naming its tokenizer_file is followed.
public static class CheckpointTokenizer
{
    /// <param name="path">A folder, or a tokenizer file (.model, tokenizer.json or vocab_trim.json).</param>
    /// <param name="defaultLanguage">Replaces the tokenizer's default language when given.</param>
    /// <exception cref="PhoenixDataException">No usable tokenizer at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The folder's checkpoint.json is corrupt.</exception>
    public static ISltTokenizer Load(string path, string? defaultLanguage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path))
            return LoadFile(path, defaultLanguage);
        if (File.Exists(Path.Combine(path, CheckpointMetadata.FileName))
            && CheckpointMetadata.Load(path).TokenizerFile is string named)
            return LoadFile(Path.Combine(path, named), defaultLanguage);
        if (File.Exists(Path.Combine(path, TrimmedTokenizer.MappingFileName)))
            return TrimmedTokenizer.Load(path, defaultLanguage);
        return TokenizerFactory.Load(path, defaultLanguage);
    }

    private static ISltTokenizer LoadFile(string file, string? defaultLanguage)
        => IsTrimMapping(file) ? TrimmedTokenizer.Load(file, defaultLanguage) : TokenizerFactory.Load(file, defaultLanguage);

    /// True for vocab_trim.json, or any .json file whose "type" is the trimmed-vocabulary mapping's.
    private static bool IsTrimMapping(string file)
    {
        if (string.Equals(Path.GetFileName(file), TrimmedTokenizer.MappingFileName, StringComparison.Ordinal))
            return true;
        if (!file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || !File.Exists(file))
            return false;
        try
        {
            using var stream = File.OpenRead(file);
            using var document = JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type)
                && type.ValueKind == JsonValueKind.String
                && type.GetString() == TrimmedTokenizer.TypeName;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return false; // the tokenizer factory reports the problem with the file
        }
    }
}
