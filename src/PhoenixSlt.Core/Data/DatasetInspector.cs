namespace PhoenixSlt.Core.Data;

/// Checks a dataset folder (the layout of <see cref="DatasetLayout"/>) and collects every problem rather than
/// stopping at the first: missing or malformed annotation files and rows, names shared between splits, missing
/// feature files, and feature files that cannot be read or have the wrong shape or values. Also gathers
/// per-split counts and frame statistics. Used by `phoenix-slt data check` and the portal's Datasets page.
public static class DatasetInspector
{
    public static DatasetReport Inspect(string root, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
        => Inspect(root, DatasetLayout.Splits, progress, cancellationToken);

    public static DatasetReport Inspect(string root, IReadOnlyList<string> splits, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(splits);
        var problems = new List<DataProblem>();
        if (!Directory.Exists(root))
        {
            problems.Add(new DataProblem(root, "data folder does not exist; expected annotations/, kpts/ and siglip_vitb16/ inside it (`phoenix-slt synth` creates a small example)"));
            return new DatasetReport(root, [], problems);
        }
        var layout = new DatasetLayout(root);
        var store = new FeatureStore(layout);
        bool[] folderPresent = new bool[2];
        foreach (FeatureKind kind in Enum.GetValues<FeatureKind>())
        {
            folderPresent[(int)kind] = Directory.Exists(store.FolderOf(kind));
            if (!folderPresent[(int)kind])
                problems.Add(new DataProblem(store.FolderOf(kind), $"{FeatureStore.Describe(kind)} folder does not exist; put one NAME.npy per sample there (flat or in train/, dev/, test/)"));
        }

        var reports = new List<SplitReport>();
        var splitOfName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string split in splits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? file = PhoenixCorpus.FindFile(layout.AnnotationsDir, split);
            if (file is null)
            {
                problems.Add(PhoenixCorpus.MissingSplitProblem(layout.AnnotationsDir, split));
                reports.Add(EmptySplit(split));
                continue;
            }
            CorpusReadResult corpus = PhoenixCorpus.ReadFile(file);
            problems.AddRange(corpus.Problems);
            foreach (PhoenixSample sample in corpus.Samples)
            {
                if (splitOfName.TryGetValue(sample.Name, out string? other))
                    problems.Add(new DataProblem(file, $"sample '{sample.Name}' is also in split '{other}'; a sample must belong to one split"));
                else
                    splitOfName[sample.Name] = split;
            }
            reports.Add(InspectSplit(store, split, file, corpus.Samples, folderPresent, problems, progress, cancellationToken));
        }
        return new DatasetReport(root, reports, problems);
    }

    private static SplitReport EmptySplit(string split)
        => new(split, null, 0, 0, 0, 0, 0, 0, null, null, null, null, [], []);

    private static SplitReport InspectSplit(FeatureStore store, string split, string file, IReadOnlyList<PhoenixSample> samples,
        bool[] folderPresent, List<DataProblem> problems, IProgress<InspectionProgress>? progress, CancellationToken cancellationToken)
    {
        var keypointFrames = new List<int>();
        var siglipFrames = new List<int>();
        long leftMissing = 0, rightMissing = 0;
        int both = 0;
        int[] missing = new int[2], invalid = new int[2];
        for (int i = 0; i < samples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = samples[i].Name;
            NpyArray? keypoints = TryLoad(store, FeatureKind.Keypoints, split, name, folderPresent, missing, invalid, problems);
            NpyArray? siglip = TryLoad(store, FeatureKind.Siglip, split, name, folderPresent, missing, invalid, problems);
            if (keypoints is not null)
            {
                keypointFrames.Add(keypoints.Shape[0]);
                var (left, right) = MissingHandFrames(keypoints);
                leftMissing += left;
                rightMissing += right;
            }
            if (siglip is not null)
                siglipFrames.Add(siglip.Shape[0]);
            if (keypoints is not null && siglip is not null)
                both++;
            progress?.Report(new InspectionProgress(split, i + 1, samples.Count));
        }
        long frames = keypointFrames.Sum(f => (long)f);
        return new SplitReport(split, file, samples.Count, both,
            missing[(int)FeatureKind.Keypoints], missing[(int)FeatureKind.Siglip],
            invalid[(int)FeatureKind.Keypoints], invalid[(int)FeatureKind.Siglip],
            FrameStats.Of(keypointFrames), FrameStats.Of(siglipFrames),
            frames == 0 ? null : leftMissing / (double)frames,
            frames == 0 ? null : rightMissing / (double)frames,
            FrameHistogram.Build(keypointFrames), FrameHistogram.Build(siglipFrames));
    }

    private static NpyArray? TryLoad(FeatureStore store, FeatureKind kind, string split, string name, bool[] folderPresent,
        int[] missing, int[] invalid, List<DataProblem> problems)
    {
        string? path = store.FindFile(kind, split, name);
        if (path is null)
        {
            missing[(int)kind]++;
            if (folderPresent[(int)kind]) // a missing folder is reported once, not per sample
                problems.Add(store.MissingFileProblem(kind, split, name));
            return null;
        }
        try
        {
            return FeatureStore.LoadFile(kind, path);
        }
        catch (PhoenixDataException ex)
        {
            invalid[(int)kind]++;
            problems.Add(new DataProblem(ex.FilePath ?? path, ex.Problem));
            return null;
        }
    }

    /// Frames of a (T, 225) keypoint array in which every joint of the left / right hand is missing.
    public static (int Left, int Right) MissingHandFrames(NpyArray keypoints)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        int frames = keypoints.Shape[0];
        bool[] valid = KeypointNormalizer.Validity(keypoints.Data, frames);
        int left = 0, right = 0;
        for (int t = 0; t < frames; t++)
        {
            if (!AnyValid(valid, t, FeatureSpec.LeftHandStart)) left++;
            if (!AnyValid(valid, t, FeatureSpec.RightHandStart)) right++;
        }
        return (left, right);
    }

    private static bool AnyValid(bool[] valid, int frame, int start)
        => valid.AsSpan(frame * FeatureSpec.Joints + start, FeatureSpec.HandJoints).Contains(true);
}
