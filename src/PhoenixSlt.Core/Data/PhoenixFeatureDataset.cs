namespace PhoenixSlt.Core.Data;

/// One split of a dataset: its annotations plus on-demand loading of each sample's features
/// (keypoints normalised by <see cref="KeypointNormalizer"/> unless turned off).
public sealed class PhoenixFeatureDataset
{
    public PhoenixFeatureDataset(FeatureStore store, string split, IReadOnlyList<PhoenixSample> samples, bool normalizeKeypoints = true)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        Split = split;
        Samples = samples ?? throw new ArgumentNullException(nameof(samples));
        NormalizeKeypoints = normalizeKeypoints;
    }

    /// Loads the annotations of <paramref name="split"/> from DATA_ROOT/annotations.
    public static PhoenixFeatureDataset Open(string dataRoot, string split, bool normalizeKeypoints = true)
    {
        var layout = new DatasetLayout(dataRoot);
        return new PhoenixFeatureDataset(new FeatureStore(layout), split, PhoenixCorpus.Load(layout.AnnotationsDir, split), normalizeKeypoints);
    }

    public FeatureStore Store { get; }
    public string Split { get; }
    public IReadOnlyList<PhoenixSample> Samples { get; }
    public bool NormalizeKeypoints { get; }
    public int Count => Samples.Count;

    /// Loads and validates the features of sample <paramref name="index"/>; throws <see cref="PhoenixDataException"/>.
    public FeatureSample Get(int index)
    {
        PhoenixSample sample = Samples[index];
        NpyArray keypoints = Store.LoadKeypoints(Split, sample.Name);
        if (NormalizeKeypoints)
            keypoints = KeypointNormalizer.Normalize(keypoints).ToArray();
        return new FeatureSample(sample.Name, sample.Translation, keypoints, Store.LoadSiglip(Split, sample.Name), sample.Orth);
    }

    public IReadOnlyList<FeatureSample> Get(IEnumerable<int> indices) => indices.Select(Get).ToArray();

    /// Frame counts of one stream for every sample, read from the .npy headers only (for length bucketing).
    public int[] FrameCounts(FeatureKind kind = FeatureKind.Keypoints)
    {
        int[] counts = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            string name = Samples[i].Name;
            string path = Store.FindFile(kind, Split, name) ?? throw Store.MissingFileProblem(kind, Split, name).ToException();
            NpyHeader header = NpyFile.ReadHeader(path);
            if (header.Shape.Length == 0)
                throw new PhoenixDataException(path, $"{FeatureStore.Describe(kind)} must have a frame axis; found shape ()");
            counts[i] = header.Shape[0];
        }
        return counts;
    }
}
