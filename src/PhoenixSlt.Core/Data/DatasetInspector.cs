namespace PhoenixSlt.Core.Data;

/// Checks a dataset folder (the layout of <see cref="DatasetLayout"/>) and collects every problem rather than
/// stopping at the first: missing or malformed annotation files and rows, names shared between splits, missing
/// feature files, and feature files that cannot be read or have the wrong shape or size — and, at
/// <see cref="InspectionDepth.Full"/>, wrong values. Also gathers per-split counts and frame statistics and, on
/// request, every sample with its frame counts. Used by `phoenix-slt data check` (full) and the portal's Datasets
/// page (headers only, full on demand).
public static class DatasetInspector
{
    /// Samples between two progress reports of a headers-only inspection (a header is read in microseconds).
    public const int HeaderProgressInterval = 256;

    private static readonly FeatureKind[] Kinds = Enum.GetValues<FeatureKind>();

    /// The full check of the standard splits.
    public static DatasetReport Inspect(string root, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
        => Inspect(root, InspectionDepth.Full, DatasetLayout.Splits, progress, cancellationToken).Report;

    /// The full check of <paramref name="splits"/>.
    public static DatasetReport Inspect(string root, IReadOnlyList<string> splits, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
        => Inspect(root, InspectionDepth.Full, splits, progress, cancellationToken).Report;

    /// Inspects the standard splits at <paramref name="depth"/>; the result lists every sample.
    public static DatasetInspection Inspect(string root, InspectionDepth depth, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
        => Inspect(root, depth, DatasetLayout.Splits, progress, cancellationToken);

    /// Inspects <paramref name="splits"/> at <paramref name="depth"/>; the result lists every sample.
    public static DatasetInspection Inspect(string root, InspectionDepth depth, IReadOnlyList<string> splits,
        IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(splits);
        var problems = new List<DataProblem>();
        var samples = new Dictionary<string, IReadOnlyList<SampleInfo>>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            problems.Add(new DataProblem(root, "data folder does not exist; expected annotations/, kpts/ and siglip_vitb16/ inside it (`phoenix-slt synth` creates a small example)"));
            return new DatasetInspection(new DatasetReport(root, [], problems), depth, samples);
        }
        var layout = new DatasetLayout(root);
        var scan = new Scan(new FeatureStore(layout), depth, problems);
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
                if (!splitOfName.TryAdd(sample.Name, split))
                    problems.Add(new DataProblem(file, $"sample '{sample.Name}' is also in split '{splitOfName[sample.Name]}'; a sample must belong to one split"));
            (SplitReport report, SampleInfo[] infos) = InspectSplit(scan, split, file, corpus.Samples, progress, cancellationToken);
            reports.Add(report);
            samples[split] = infos;
        }
        return new DatasetInspection(new DatasetReport(root, reports, problems), depth, samples);
    }

    private static SplitReport EmptySplit(string split)
        => new(split, null, 0, 0, 0, 0, 0, 0, null, null, null, null, [], []);

    private static (SplitReport, SampleInfo[]) InspectSplit(Scan scan, string split, string file, IReadOnlyList<PhoenixSample> samples,
        IProgress<InspectionProgress>? progress, CancellationToken cancellationToken)
    {
        var tally = new SplitTally();
        var infos = new SampleInfo[samples.Count];
        int reportEvery = scan.Depth == InspectionDepth.Full ? 1 : HeaderProgressInterval;
        for (int i = 0; i < samples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PhoenixSample sample = samples[i];
            FeatureFile keypoints = CheckFile(scan, FeatureKind.Keypoints, split, sample.Name, tally);
            FeatureFile siglip = CheckFile(scan, FeatureKind.Siglip, split, sample.Name, tally);
            tally.Add(keypoints, siglip);
            infos[i] = new SampleInfo(sample, keypoints.Frames, siglip.Frames, keypoints.Path, siglip.Path);
            if ((i + 1) % reportEvery == 0 || i + 1 == samples.Count)
                progress?.Report(new InspectionProgress(split, i + 1, samples.Count));
        }
        return (tally.ToReport(split, file, samples.Count, scan.Depth), infos);
    }

    /// Finds one feature file of a sample and validates it at the scan's depth; counts and records what is wrong.
    private static FeatureFile CheckFile(Scan scan, FeatureKind kind, string split, string name, SplitTally tally)
    {
        string? path = scan.Store.FindFile(kind, split, name);
        if (path is null)
        {
            tally.Missing[(int)kind]++;
            if (scan.FolderPresent[(int)kind]) // a missing folder is reported once, not per sample
                scan.Problems.Add(scan.Store.MissingFileProblem(kind, split, name));
            return new FeatureFile(null, null, null);
        }
        try
        {
            if (scan.Depth == InspectionDepth.HeadersOnly)
                return new FeatureFile(path, FeatureStore.LoadHeader(kind, path).Shape[0], null);
            NpyArray values = FeatureStore.LoadFile(kind, path);
            return new FeatureFile(path, values.Shape[0], values);
        }
        catch (PhoenixDataException ex)
        {
            tally.Invalid[(int)kind]++;
            scan.Problems.Add(new DataProblem(ex.FilePath ?? path, ex.Problem));
            return new FeatureFile(path, null, null);
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

    /// What one inspection shares across splits; a missing feature folder is reported here, once.
    private sealed class Scan
    {
        public Scan(FeatureStore store, InspectionDepth depth, List<DataProblem> problems)
        {
            Store = store;
            Depth = depth;
            Problems = problems;
            FolderPresent = new bool[Kinds.Length];
            foreach (FeatureKind kind in Kinds)
            {
                FolderPresent[(int)kind] = Directory.Exists(store.FolderOf(kind));
                if (!FolderPresent[(int)kind])
                    problems.Add(new DataProblem(store.FolderOf(kind), $"{FeatureStore.Describe(kind)} folder does not exist; put one NAME.npy per sample there (flat or in train/, dev/, test/)"));
            }
        }

        public FeatureStore Store { get; }
        public InspectionDepth Depth { get; }
        public List<DataProblem> Problems { get; }
        public bool[] FolderPresent { get; }
    }

    /// A feature file of a sample: its path (null when missing), its frame count (null when missing or invalid)
    /// and, at full depth, its validated values.
    private readonly record struct FeatureFile(string? Path, int? Frames, NpyArray? Values);

    /// Counts and frame lengths of one split.
    private sealed class SplitTally
    {
        private readonly List<int> _keypointFrames = [];
        private readonly List<int> _siglipFrames = [];
        private long _leftHandMissing, _rightHandMissing;
        private int _both;

        public int[] Missing { get; } = new int[Kinds.Length];
        public int[] Invalid { get; } = new int[Kinds.Length];

        public void Add(FeatureFile keypoints, FeatureFile siglip)
        {
            if (keypoints.Frames is int k) _keypointFrames.Add(k);
            if (siglip.Frames is int s) _siglipFrames.Add(s);
            if (keypoints.Frames is not null && siglip.Frames is not null) _both++;
            if (keypoints.Values is { } values)
            {
                var (left, right) = MissingHandFrames(values);
                _leftHandMissing += left;
                _rightHandMissing += right;
            }
        }

        /// Hand ratios need the values, so they stay null for a headers-only inspection.
        public SplitReport ToReport(string split, string file, int samples, InspectionDepth depth)
        {
            long frames = _keypointFrames.Sum(f => (long)f);
            bool ratios = depth == InspectionDepth.Full && frames > 0;
            return new SplitReport(split, file, samples, _both,
                Missing[(int)FeatureKind.Keypoints], Missing[(int)FeatureKind.Siglip],
                Invalid[(int)FeatureKind.Keypoints], Invalid[(int)FeatureKind.Siglip],
                FrameStats.Of(_keypointFrames), FrameStats.Of(_siglipFrames),
                ratios ? _leftHandMissing / (double)frames : null,
                ratios ? _rightHandMissing / (double)frames : null,
                FrameHistogram.Build(_keypointFrames), FrameHistogram.Build(_siglipFrames));
        }
    }
}
