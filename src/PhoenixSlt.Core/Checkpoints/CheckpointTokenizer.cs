using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Checkpoints;

/// Loads the tokenizer of a checkpoint or model folder: the file its checkpoint.json names (tokenizer_file) when
/// there is one, otherwise whatever <see cref="TokenizerFactory"/> finds (trimmed mBART vocabulary, mBART
/// SentencePiece model or corpus vocabulary).
public static class CheckpointTokenizer
{
    /// <param name="path">A folder, or a tokenizer file (.model, tokenizer.json or vocab_trim.json).</param>
    /// <param name="defaultLanguage">Replaces the tokenizer's default language when given.</param>
    /// <exception cref="PhoenixDataException">No usable tokenizer at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">The folder's checkpoint.json is corrupt.</exception>
    public static ISltTokenizer Load(string path, string? defaultLanguage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)
            && File.Exists(Path.Combine(path, CheckpointMetadata.FileName))
            && CheckpointMetadata.Load(path).TokenizerFile is string named)
            return TokenizerFactory.Load(Path.Combine(path, named), defaultLanguage);
        return TokenizerFactory.Load(path, defaultLanguage);
    }
}
