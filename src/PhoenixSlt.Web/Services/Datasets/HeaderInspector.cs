using System.Diagnostics;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Datasets;

/// A fast dataset inspection that reads the annotation files and only the header of every .npy file:
/// sample counts, frame statistics and histograms from the declared shapes, and the problems visible
/// without reading values (missing folders and files, unreadable headers, wrong shapes, truncated or
/// oversized data). <see cref="DatasetInspector"/> is the full check that also reads the values.
public static class HeaderInspector
{
    public static DatasetOverview Inspect(string root, IProgress<InspectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var clock = Stopwatch.StartNew();
        var problems = new List<DataProblem>();
        var reports = new List<SplitReport>();
        var samplesBySplit = new Dictionary<string, IReadOnlyList<SampleInfo>>(StringComparer.Ordinal);
        var layout = new DatasetLayout(root);
        var store = new FeatureStore(layout);
        bool[] folderPresent = [.. Enum.GetValues<FeatureKind>().Select(kind => Directory.Exists(store.FolderOf(kind)))];
        foreach (FeatureKind kind in Enum.GetValues<FeatureKind>())
            if (!folderPresent[(int)kind])
                problems.Add(new DataProblem(store.FolderOf(kind),
                    $"{FeatureStore.Describe(kind)} folder does not exist; put one NAME.npy per sample there (flat or in train/, dev/, test/)"));

        var splitOfName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string split in DatasetLayout.Splits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? file = PhoenixCorpus.FindFile(layout.AnnotationsDir, split);
            if (file is null)
            {
                problems.Add(PhoenixCorpus.MissingSplitProblem(layout.AnnotationsDir, split));
                reports.Add(new SplitReport(split, null, 0, 0, 0, 0, 0, 0, null, null, null, null, [], []));
                continue;
            }
            CorpusReadResult corpus = PhoenixCorpus.ReadFile(file);
            problems.AddRange(corpus.Problems);
            foreach (PhoenixSample sample in corpus.Samples)
                if (!splitOfName.TryAdd(sample.Name, split))
                    problems.Add(new DataProblem(file, $"sample '{sample.Name}' is also in split '{splitOfName[sample.Name]}'; a sample must belong to one split"));
            (SplitReport report, IReadOnlyList<SampleInfo> samples) =
                InspectSplit(store, split, file, corpus.Samples, folderPresent, problems, progress, cancellationToken);
            reports.Add(report);
            samplesBySplit[split] = samples;
        }
        return new DatasetOverview(new DatasetReport(root, reports, problems), samplesBySplit, FullCheck: false,
            DateTimeOffset.UtcNow, clock.Elapsed);
    }

    private static (SplitReport, IReadOnlyList<SampleInfo>) InspectSplit(FeatureStore store, string split, string file,
        IReadOnlyList<PhoenixSample> samples, bool[] folderPresent, List<DataProblem> problems,
        IProgress<InspectionProgress>? progress, CancellationToken cancellationToken)
    {
        var infos = new SampleInfo[samples.Count];
        var keypointFrames = new List<int>();
        var siglipFrames = new List<int>();
        int[] missing = new int[2], invalid = new int[2];
        int both = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PhoenixSample sample = samples[i];
            (string? kpFile, int? kp) = Frames(store, FeatureKind.Keypoints, split, sample.Name, folderPresent, missing, invalid, problems);
            (string? sgFile, int? sg) = Frames(store, FeatureKind.Siglip, split, sample.Name, folderPresent, missing, invalid, problems);
            if (kp is int k) keypointFrames.Add(k);
            if (sg is int s) siglipFrames.Add(s);
            if (kp is not null && sg is not null) both++;
            infos[i] = new SampleInfo(sample, kp, sg, kpFile, sgFile);
            if ((i + 1) % 256 == 0 || i + 1 == samples.Count)
                progress?.Report(new InspectionProgress(split, i + 1, samples.Count));
        }
        var report = new SplitReport(split, file, samples.Count, both,
            missing[(int)FeatureKind.Keypoints], missing[(int)FeatureKind.Siglip],
            invalid[(int)FeatureKind.Keypoints], invalid[(int)FeatureKind.Siglip],
            FrameStats.Of(keypointFrames), FrameStats.Of(siglipFrames), null, null,
            FrameHistogram.Build(keypointFrames), FrameHistogram.Build(siglipFrames));
        return (report, infos);
    }

    private static (string? File, int? Frames) Frames(FeatureStore store, FeatureKind kind, string split, string name,
        bool[] folderPresent, int[] missing, int[] invalid, List<DataProblem> problems)
    {
        string? path = store.FindFile(kind, split, name);
        if (path is null)
        {
            missing[(int)kind]++;
            if (folderPresent[(int)kind]) // a missing folder is reported once, not per sample
                problems.Add(store.MissingFileProblem(kind, split, name));
            return (null, null);
        }
        try
        {
            NpyHeader header = NpyFile.ReadHeader(path);
            if ((ShapeProblem(kind, header) ?? SizeProblem(path, header)) is string problem)
            {
                invalid[(int)kind]++;
                problems.Add(new DataProblem(path, problem));
                return (path, null);
            }
            return (path, header.Shape[0]);
        }
        catch (PhoenixDataException ex)
        {
            invalid[(int)kind]++;
            problems.Add(new DataProblem(ex.FilePath ?? path, ex.Problem));
            return (path, null);
        }
    }

    /// The problem with a declared shape, or null: keypoints (T, 75, 3) or (T, 225), SigLIP (T, 768), T ≥ 1.
    public static string? ShapeProblem(FeatureKind kind, NpyHeader header)
    {
        int[] shape = header.Shape;
        bool ok = kind == FeatureKind.Keypoints
            ? (shape.Length == 3 && shape[1] == FeatureSpec.Joints && shape[2] == FeatureSpec.CoordsPerJoint)
              || (shape.Length == 2 && shape[1] == FeatureSpec.KeypointDim)
            : shape.Length == 2 && shape[1] == FeatureSpec.SiglipDim;
        if (!ok)
            return kind == FeatureKind.Keypoints
                ? $"keypoints must have shape (T, {FeatureSpec.Joints}, {FeatureSpec.CoordsPerJoint}) or (T, {FeatureSpec.KeypointDim}); found {header.ShapeText}"
                : $"SigLIP features must have shape (T, {FeatureSpec.SiglipDim}); found {header.ShapeText}";
        return shape[0] == 0 ? $"{FeatureStore.Describe(kind)} have 0 frames; every sample needs at least one frame" : null;
    }

    /// The problem when the file does not hold exactly the bytes its header declares, or null.
    public static string? SizeProblem(string path, NpyHeader header)
    {
        long available = new FileInfo(path).Length - header.DataOffset;
        if (available == header.DataBytes)
            return null;
        string what = available < header.DataBytes ? "truncated" : "shape/data size mismatch";
        return $"{what}: shape {header.ShapeText} of {NpyDType.Name(header.Format.ElementType)} needs {header.DataBytes} data bytes but {available} follow the header";
    }
}
