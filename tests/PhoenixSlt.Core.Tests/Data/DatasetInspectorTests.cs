using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class DatasetInspectorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Path;

    /// train: a (flat files, hands missing in some frames), b (files under train/), c (no SigLIP file);
    /// dev.csv: d (keypoints of wrong shape), e (SigLIP with NaN), a bad line, a (also in train); test: no file.
    private void WriteProblemDataset()
    {
        var layout = new DatasetLayout(Root);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile("train"), [new("a", "eins"), new("b", "zwei"), new("c", "drei")]);
        _dir.Write("annotations/dev.csv", "name,translation\nd,vier\ne,fünf\nx,y,z\na,wieder a\n");
        TestDataset.Keypoints(Root, "a.npy", 4, leftMissing: [0, 2], rightNaN: [3]);
        TestDataset.Siglip(Root, "a.npy", 3);
        TestDataset.Keypoints(Root, "train/b.npy", 6);
        TestDataset.Siglip(Root, "train/b.npy", 5);
        TestDataset.Keypoints(Root, "c.npy", 2);
        NpyFile.Write(_dir.File("kpts", "d.npy"), new NpyArray(new float[2 * 74 * 3], [2, 74, 3]));
        TestDataset.Siglip(Root, "d.npy", 2);
        TestDataset.Keypoints(Root, "dev/e.npy", 3);
        TestDataset.Siglip(Root, "dev/e.npy", 2, withNaN: true);
    }

    [Fact]
    public void Inspect_ProblemDataset_CollectsEveryProblem()
    {
        WriteProblemDataset();

        DatasetReport report = DatasetInspector.Inspect(Root);

        Assert.False(report.Ok);
        string dev = _dir.File("annotations", "dev.csv");
        var problems = report.Problems.Select(p => (p.File, p.Describe())).ToList();
        Assert.Equal(6, problems.Count);
        Assert.Contains((_dir.File("siglip_vitb16", "c.npy"),
            $"no SigLIP features file for sample 'c': expected {_dir.File("siglip_vitb16", "c.npy")} or {_dir.File("siglip_vitb16", "train", "c.npy")}"), problems);
        Assert.Contains((dev, "line 4: expected 2 fields separated by ',' (quote fields that contain commas) as in the header but found 3"), problems);
        Assert.Contains((dev, "sample 'a' is also in split 'train'; a sample must belong to one split"), problems);
        Assert.Contains(problems, p => p.File == _dir.File("kpts", "d.npy") && p.Item2.StartsWith("keypoints must have shape", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.File == _dir.File("siglip_vitb16", "dev", "e.npy") && p.Item2.StartsWith("SigLIP features contain 1 NaN/Inf", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.File == _dir.File("annotations") && p.Item2.Contains("no annotation file for split 'test'", StringComparison.Ordinal));
    }

    [Fact]
    public void Inspect_ProblemDataset_CountsAndFrameStatistics()
    {
        WriteProblemDataset();

        DatasetReport report = DatasetInspector.Inspect(Root);

        SplitReport train = report.Splits.Single(s => s.Split == "train");
        Assert.Equal(3, train.Samples);
        Assert.Equal(2, train.WithBothFeatures);
        Assert.Equal(0, train.MissingKeypoints);
        Assert.Equal(1, train.MissingSiglip);
        Assert.Equal(new FrameStats(3, 2, 4.0, 6), train.KeypointFrames);   // a 4, b 6, c 2
        Assert.Equal(new FrameStats(2, 3, 4.0, 5), train.SiglipFrames);     // a 3, b 5
        Assert.Equal(2 / 12.0, train.LeftHandMissingRatio!.Value, 12);     // a: frames 0 and 2 of 12
        Assert.Equal(1 / 12.0, train.RightHandMissingRatio!.Value, 12);    // a: frame 3

        SplitReport dev = report.Splits.Single(s => s.Split == "dev");
        Assert.Equal(3, dev.Samples);         // the bad line is left out
        Assert.Equal(1, dev.WithBothFeatures); // a
        Assert.Equal(1, dev.InvalidKeypoints);
        Assert.Equal(1, dev.InvalidSiglip);

        SplitReport test = report.Splits.Single(s => s.Split == "test");
        Assert.Null(test.AnnotationFile);
        Assert.Equal(0, test.Samples);
        Assert.Equal(6, report.TotalSamples);
    }

    [Fact]
    public void Inspect_CleanDataset_NoProblems()
    {
        TestDataset.Clean(Root);
        var progress = new List<InspectionProgress>();

        DatasetReport report = DatasetInspector.Inspect(Root, new SynchronousProgress(progress));

        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Equal([2, 1, 1], report.Splits.Select(s => s.WithBothFeatures));
        Assert.Equal(new InspectionProgress("train", 2, 2), progress[1]);
        Assert.Equal([new HistogramBin(3, 4, 2)], report.Splits[0].KeypointFrameHistogram);
    }

    [Fact]
    public void Inspect_MissingRoot_OneProblem()
    {
        DatasetReport report = DatasetInspector.Inspect(_dir.File("nowhere"));

        DataProblem problem = Assert.Single(report.Problems);
        Assert.StartsWith("data folder does not exist", problem.Problem);
        Assert.Empty(report.Splits);
    }

    [Fact]
    public void Inspect_MissingFeatureFolder_ReportedOnceNotPerSample()
    {
        TestDataset.Clean(Root);
        Directory.Delete(_dir.File("siglip_vitb16"), recursive: true);

        DatasetReport report = DatasetInspector.Inspect(Root);

        DataProblem problem = Assert.Single(report.Problems);
        Assert.Equal(_dir.File("siglip_vitb16"), problem.File);
        Assert.Equal(4, report.Splits.Sum(s => s.MissingSiglip));
    }

    [Fact]
    public void MissingHandFrames_CountsFramesWithWholeHandMissing()
    {
        float[] v = Enumerable.Repeat(0.5f, 3 * FeatureSpec.KeypointDim).ToArray();
        v.AsSpan(FeatureSpec.LeftHandStart * 3, FeatureSpec.HandJoints * 3).Clear();          // frame 0: left hand gone
        v[(FeatureSpec.Joints + FeatureSpec.RightHandStart) * 3] = float.NaN;                  // frame 1: one right joint only

        var (left, right) = DatasetInspector.MissingHandFrames(new NpyArray(v, [3, FeatureSpec.KeypointDim]));

        Assert.Equal(1, left);
        Assert.Equal(0, right);
    }

    [Fact]
    public void FrameHistogram_SmallRange_UnitBins()
    {
        Assert.Equal([new(2, 3, 1), new(3, 4, 0), new(4, 5, 1), new(5, 6, 0), new HistogramBin(6, 7, 1)], FrameHistogram.Build([2, 4, 6]));
    }

    [Fact]
    public void FrameHistogram_WideRange_NiceWidthAndAllCounted()
    {
        int[] values = Enumerable.Range(0, 200).ToArray();

        IReadOnlyList<HistogramBin> bins = FrameHistogram.Build(values, maxBins: 20);

        Assert.Equal(20, bins.Count);
        Assert.All(bins, b => Assert.Equal(10, b.Upper - b.Lower));
        Assert.All(bins, b => Assert.Equal(10, b.Count));
    }

    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(1.5, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(11, 20)]
    public void NiceWidth_RoundsUpTo125Series(double raw, int expected)
    {
        Assert.Equal(expected, FrameHistogram.NiceWidth(raw));
    }

    private sealed class SynchronousProgress(List<InspectionProgress> sink) : IProgress<InspectionProgress>
    {
        public void Report(InspectionProgress value) => sink.Add(value);
    }
}
