namespace PhoenixSlt.Core.Data;

/// Reads PHOENIX-2014-T annotation files: the official pipe-separated corpus CSV
/// (name|video|start|end|speaker|orth|translation) and plain CSV with name,translation(,orth,speaker).
public static partial class PhoenixCorpus
{
    /// Loads ANNOTATIONS_DIR/PHOENIX-2014-T.{split}.corpus.csv (or a plain CSV for that split).
    /// Throws <see cref="PhoenixDataException"/> naming the file and the problem.
    public static IReadOnlyList<PhoenixSample> Load(string annotationsDir, string split)
        => throw new NotImplementedException("PhoenixCorpus.Load is being implemented");
}
