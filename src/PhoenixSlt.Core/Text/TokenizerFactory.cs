using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Text;

/// Loads whichever tokenizer a checkpoint folder (or a file) holds: an mBART SentencePiece model
/// (<see cref="MBartTokenizer.ModelFileName"/>, preferred when both exist) or a corpus vocabulary
/// (<see cref="CorpusTokenizer.FileName"/>).
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

        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return CorpusTokenizer.Load(file, defaultLanguage);
        return MBartTokenizer.Load(file, defaultLanguage ?? SpecialTokens.DefaultLanguage);
    }

    private static string FindInFolder(string folder)
    {
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
}
