using System.Text.Json;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Text;

/// Loads whichever tokenizer a checkpoint folder (or a file) holds: a trimmed mBART vocabulary
/// (<see cref="TrimmedTokenizer.MappingFileName"/> beside the SentencePiece model; checked first, because such a
/// folder also holds the untrimmed model), an mBART SentencePiece model (<see cref="MBartTokenizer.ModelFileName"/>,
/// preferred over a vocabulary when both exist) or a corpus vocabulary (<see cref="CorpusTokenizer.FileName"/>).
public static class TokenizerFactory
{
    /// <param name="path">A folder, a SentencePiece .model file or a vocabulary .json file.</param>
    /// <param name="defaultLanguage">Language for <see cref="ISltTokenizer.Encode"/> when none is given; null
    /// keeps the tokenizer's own (de_DE for mBART, the saved one for a corpus vocabulary).</param>
    /// <exception cref="PhoenixDataException">Nothing usable at <paramref name="path"/>.</exception>
    public static ISltTokenizer Load(string path, string? defaultLanguage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Directory.Exists(path) ? FindInFolder(path) : path;
        if (!File.Exists(file))
            throw new PhoenixDataException(file,
                $"tokenizer file not found; pass a folder or file holding {MBartTokenizer.ModelFileName} (mBART) " +
                $"or {CorpusTokenizer.FileName} (corpus vocabulary)");

        if (IsTrimMapping(file))
            return TrimmedTokenizer.Load(file, defaultLanguage);
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return CorpusTokenizer.Load(file, defaultLanguage);
        return MBartTokenizer.Load(file, defaultLanguage ?? SpecialTokens.DefaultLanguage);
    }

    private static string FindInFolder(string folder)
    {
        string mapping = Path.Combine(folder, TrimmedTokenizer.MappingFileName);
        if (File.Exists(mapping))
            return mapping;
        string spm = Path.Combine(folder, MBartTokenizer.ModelFileName);
        if (File.Exists(spm))
            return spm;
        string vocabulary = Path.Combine(folder, CorpusTokenizer.FileName);
        if (File.Exists(vocabulary))
            return vocabulary;
        throw new PhoenixDataException(folder,
            $"no tokenizer in this folder: expected {MBartTokenizer.ModelFileName} (mBART) or {CorpusTokenizer.FileName} " +
            "(corpus vocabulary)");
    }

    /// True for vocab_trim.json, or any .json file whose "type" is the trimmed-vocabulary mapping's.
    private static bool IsTrimMapping(string file)
    {
        if (string.Equals(Path.GetFileName(file), TrimmedTokenizer.MappingFileName, StringComparison.Ordinal))
            return true;
        if (!file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
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
            return false; // CorpusTokenizer.Load reports the problem with the file
        }
    }
}
