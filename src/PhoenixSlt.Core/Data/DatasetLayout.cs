namespace PhoenixSlt.Core.Data;

/// The on-disk layout of a PHOENIX-2014-T style dataset (official release layout, also written by `synth`):
/// <code>
/// ROOT/annotations/PHOENIX-2014-T.{train,dev,test}.corpus.csv
/// ROOT/kpts/[split/]NAME.npy            (T,75,3) or (T,225) MediaPipe keypoints
/// ROOT/siglip_vitb16/[split/]NAME.npy   (T',768) SigLIP ViT-B/16 frame embeddings
/// </code>
public sealed record DatasetLayout(string Root)
{
    public const string AnnotationsFolder = "annotations";
    public const string KeypointsFolder = "kpts";
    public const string SiglipFolder = "siglip_vitb16";
    public static readonly IReadOnlyList<string> Splits = ["train", "dev", "test"];

    public string AnnotationsDir => Path.Combine(Root, AnnotationsFolder);
    public string KeypointsDir => Path.Combine(Root, KeypointsFolder);
    public string SiglipDir => Path.Combine(Root, SiglipFolder);

    /// Official annotation file name of a split: PHOENIX-2014-T.{split}.corpus.csv
    public static string CorpusFileName(string split) => $"PHOENIX-2014-T.{split}.corpus.csv";

    public string CorpusFile(string split) => Path.Combine(AnnotationsDir, CorpusFileName(split));
}
