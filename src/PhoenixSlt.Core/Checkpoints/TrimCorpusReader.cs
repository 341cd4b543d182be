using System.Text;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Checkpoints;

/// Reads the sentences a vocabulary is trimmed to: the translations of a PHOENIX-2014-T annotation file (official
/// pipe-separated corpus CSV or plain CSV with name and translation columns; recognised by a .csv extension or by
/// such a header line) or a plain text file with one sentence per line (blank lines skipped).
public static class TrimCorpusReader
{
    /// <exception cref="PhoenixDataException">The file is missing, unreadable, a malformed annotation file or has no sentences.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new PhoenixDataException(path, "corpus file not found; pass a PHOENIX annotation CSV or a text file with one sentence per line");
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(path, $"cannot read the corpus file: {e.Message}", e);
        }
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        string? header = lines.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
        bool annotations = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || (header is not null && IsAnnotationHeader(header));
        List<string> sentences = annotations
            ? [.. PhoenixCorpus.LoadFile(path).Select(s => s.Translation.Trim()).Where(s => s.Length > 0)]
            : [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0)];
        if (sentences.Count == 0)
            throw new PhoenixDataException(path, annotations
                ? "the annotation file has no non-empty translations"
                : "the file has no sentences; give one sentence per line");
        return sentences;
    }

    /// True for a header line naming both a name and a translation column ('|' or ',' separated).
    public static bool IsAnnotationHeader(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        char separator = line.Contains(PhoenixCorpus.OfficialSeparator) ? PhoenixCorpus.OfficialSeparator : PhoenixCorpus.PlainSeparator;
        var columns = line.Split(separator).Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return PhoenixCorpus.RequiredColumns.All(columns.Contains);
    }
}
