using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

/// <see cref="DatasetInspector"/> at <see cref="InspectionDepth.HeadersOnly"/> (the portal's fast Datasets page),
/// and its agreement with <see cref="InspectionDepth.Full"/> on everything visible without reading values.
public sealed class DatasetInspectorHeaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Path;

    /// Official CSV rows plus all-zero float32 files: keypoints (T, 75, 3) under kpts/SPLIT/, SigLIP (T', 768) flat;
    /// a frame count of 0 leaves the file out.
    private void WriteSplit(string split, params (PhoenixSample Sample, int KeypointFrames, int SiglipFrames)[] items)
    {
        var layout = new DatasetLayout(Root);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile(split), items.Select(i => i.Sample));
        foreach (var (sample, keypointFrames, siglipFrames) in items)
        {
            if (keypointFrames > 0)
                NpyFile.WriteFloat32(Path.Combine(layout.KeypointsDir, split, sample.Name + ".npy"),
                    new float[keypointFrames * FeatureSpec.KeypointDim], keypointFrames, FeatureSpec.Joints, FeatureSpec.CoordsPerJoint);
            if (siglipFrames > 0)
                NpyFile.WriteFloat32(Path.Combine(layout.SiglipDir, sample.Name + ".npy"),
                    new float[siglipFrames * FeatureSpec.SiglipDim], siglipFrames, FeatureSpec.SiglipDim);
        }
    }

    private static (PhoenixSample, int, int) Item(string name, int keypointFrames, int siglipFrames, string speaker = "Signer01")
        => (new PhoenixSample(name, "morgen regnet es", "MORGEN REGEN", speaker, name + "/1/*.png"), keypointFrames, siglipFrames);

    /// train: 3 samples (keypoint frames 10, 20, 30; SigLIP 5, 10, 15), dev: 1, test: 1.
    private void WriteComplete()
    {
        WriteSplit("train", Item("tr1", 10, 5), Item("tr2", 20, 10),
            (new PhoenixSample("tr3", "starker wind", "WIND STARK", "Signer05", "tr3/1/*.png"), 30, 15));
        WriteSplit("dev", Item("dv1", 12, 6));
        WriteSplit("test", Item("te1", 14, 7));
    }

    private static void CutEnd(string file, int bytes)
    {
        using var fs = new FileStream(file, FileMode.Open);
        fs.SetLength(fs.Length - bytes);
    }

    [Fact]
    public void Inspect_HeadersOnlyCompleteDataset_CountsSamplesAndFramesFromHeaders()
    {
        WriteComplete();

        DatasetInspection inspection = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);

        Assert.Equal(InspectionDepth.HeadersOnly, inspection.Depth);
        Assert.Empty(inspection.Report.Problems);
        SplitReport train = inspection.Report.Splits.Single(s => s.Split == "train");
        Assert.Equal(3, train.Samples);
        Assert.Equal(3, train.WithBothFeatures);
        Assert.Equal(new FrameStats(3, 10, 20.0, 30), train.KeypointFrames);
        Assert.Equal(new FrameStats(3, 5, 10.0, 15), train.SiglipFrames);
        Assert.Equal(3, train.KeypointFrameHistogram.Sum(b => b.Count));
        Assert.Null(train.LeftHandMissingRatio);   // needs the values
        Assert.Equal([3, 1, 1], inspection.Report.Splits.Select(s => s.Samples));
        Assert.Equal(5, inspection.Report.TotalSamples);
        SampleInfo tr3 = inspection.SamplesOf("train").Single(s => s.Sample.Name == "tr3");
        Assert.Equal((30, 15), (tr3.KeypointFrames, tr3.SiglipFrames));
        Assert.Equal("Signer05", tr3.Sample.Speaker);
        Assert.Equal(_dir.File("kpts", "train", "tr3.npy"), tr3.KeypointFile);
        Assert.Equal(_dir.File("siglip_vitb16", "tr3.npy"), tr3.SiglipFile);
    }

    [Fact]
    public void Inspect_HeadersOnlyMissingAndMisshapenFiles_ReportsEachProblemWithItsFile()
    {
        WriteComplete();
        WriteSplit("dev", Item("dv1", 12, 6), Item("dv2", 0, 4));
        string wrong = _dir.File("siglip_vitb16", "dv1.npy");
        NpyFile.WriteFloat32(wrong, new float[6 * 512], 6, 512);

        DatasetInspection inspection = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);

        SplitReport dev = inspection.Report.Splits.Single(s => s.Split == "dev");
        Assert.Equal(2, dev.Samples);
        Assert.Equal(0, dev.WithBothFeatures);
        Assert.Equal(1, dev.MissingKeypoints);
        Assert.Equal(1, dev.InvalidSiglip);
        Assert.Contains(inspection.Report.Problems, p => p.Problem.Contains("no keypoints file for sample 'dv2'"));
        Assert.Contains(inspection.Report.Problems, p => p.File == wrong && p.Problem.Contains("found (6, 512)"));
        SampleInfo dv2 = inspection.SamplesOf("dev").Single(s => s.Sample.Name == "dv2");
        Assert.Null(dv2.KeypointFile);
        Assert.Null(dv2.KeypointFrames);
        Assert.Equal(4, dv2.SiglipFrames);
        SampleInfo dv1 = inspection.SamplesOf("dev").Single(s => s.Sample.Name == "dv1");
        Assert.Equal(wrong, dv1.SiglipFile);
        Assert.Null(dv1.SiglipFrames);
    }

    [Fact]
    public void Inspect_HeadersOnlyTruncatedFile_ReportsTruncation()
    {
        WriteComplete();
        string file = _dir.File("kpts", "train", "tr1.npy");
        CutEnd(file, 4);

        DatasetInspection inspection = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);

        DataProblem problem = Assert.Single(inspection.Report.Problems);
        Assert.Equal(file, problem.File);
        Assert.StartsWith("truncated", problem.Problem);
        Assert.Equal(1, inspection.Report.Splits[0].InvalidKeypoints);
    }

    [Fact]
    public void Inspect_HeadersOnlyNoAnnotationForSplit_ReportsMissingSplit()
    {
        WriteSplit("train", Item("a", 3, 2));

        DatasetInspection inspection = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);

        Assert.Contains(inspection.Report.Problems, p => p.Problem.StartsWith("no annotation file for split 'dev'"));
        Assert.Contains(inspection.Report.Problems, p => p.Problem.StartsWith("no annotation file for split 'test'"));
        Assert.DoesNotContain(inspection.Report.Problems, p => p.Problem.Contains("split 'train'"));
        Assert.Equal(0, inspection.Report.Splits.Single(s => s.Split == "test").Samples);
        Assert.Empty(inspection.SamplesOf("test"));
    }

    [Fact]
    public void Inspect_HeadersOnly_ReportsProgressEveryIntervalAndAtSplitEnd()
    {
        WriteComplete();
        var progress = new List<InspectionProgress>();

        DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly, new SynchronousProgress(progress));

        // each split is shorter than the interval: one report, at its end
        Assert.Equal([new("train", 3, 3), new("dev", 1, 1), new InspectionProgress("test", 1, 1)], progress);
    }

    /// train: a valid (4 / 3 frames), b keypoints of shape (2, 74, 3), c SigLIP cut 4 bytes short (5 / 4 frames);
    /// dev: d valid (6 / 5); test: e SigLIP with a NaN (3 / 2), f valid (7 / 6).
    private void WriteMixedProblems()
    {
        var layout = new DatasetLayout(Root);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile("train"), [new("a", "eins"), new("b", "zwei"), new("c", "drei")]);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile("dev"), [new("d", "vier")]);
        PhoenixCorpus.WriteOfficial(layout.CorpusFile("test"), [new("e", "fünf"), new("f", "sechs")]);
        TestDataset.Keypoints(Root, "a.npy", 4, leftMissing: [1]);
        TestDataset.Siglip(Root, "a.npy", 3);
        NpyFile.Write(_dir.File("kpts", "b.npy"), new NpyArray(new float[2 * 74 * 3], [2, 74, 3]));
        TestDataset.Siglip(Root, "b.npy", 2);
        TestDataset.Keypoints(Root, "train/c.npy", 5);
        TestDataset.Siglip(Root, "train/c.npy", 4);
        CutEnd(_dir.File("siglip_vitb16", "train", "c.npy"), 4);
        TestDataset.Keypoints(Root, "d.npy", 6);
        TestDataset.Siglip(Root, "d.npy", 5);
        TestDataset.Keypoints(Root, "e.npy", 3);
        TestDataset.Siglip(Root, "e.npy", 2, withNaN: true);
        TestDataset.Keypoints(Root, "f.npy", 7);
        TestDataset.Siglip(Root, "f.npy", 6);
    }

    [Fact]
    public void Inspect_HeadersOnlyVersusFull_SameCountsFramesAndFileProblems()
    {
        WriteMixedProblems();

        DatasetInspection headers = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);
        DatasetInspection full = DatasetInspector.Inspect(Root, InspectionDepth.Full);

        foreach (string split in new[] { "train", "dev" })
        {
            SplitReport h = headers.Report.Splits.Single(s => s.Split == split), f = full.Report.Splits.Single(s => s.Split == split);
            Assert.Equal((f.Samples, f.WithBothFeatures, f.MissingKeypoints, f.MissingSiglip, f.InvalidKeypoints, f.InvalidSiglip),
                (h.Samples, h.WithBothFeatures, h.MissingKeypoints, h.MissingSiglip, h.InvalidKeypoints, h.InvalidSiglip));
            Assert.Equal(f.KeypointFrames, h.KeypointFrames);
            Assert.Equal(f.SiglipFrames, h.SiglipFrames);
            Assert.Equal(f.KeypointFrameHistogram, h.KeypointFrameHistogram);
            Assert.Equal(f.SiglipFrameHistogram, h.SiglipFrameHistogram);
            Assert.Equal(full.SamplesOf(split), headers.SamplesOf(split));
        }
        SplitReport train = headers.Report.Splits[0];
        Assert.Equal((3, 1, 1, 1), (train.Samples, train.WithBothFeatures, train.InvalidKeypoints, train.InvalidSiglip));
        Assert.Equal(new FrameStats(2, 4, 4.5, 5), train.KeypointFrames);   // a 4, c 5 (b misshapen)
        Assert.Equal(new FrameStats(2, 2, 2.5, 3), train.SiglipFrames);     // a 3, b 2 (c truncated)

        string misshapen = _dir.File("kpts", "b.npy"), truncated = _dir.File("siglip_vitb16", "train", "c.npy");
        foreach (DatasetInspection inspection in new[] { headers, full })
        {
            Assert.Contains(inspection.Report.Problems, p => p.File == misshapen
                && p.Problem.StartsWith("keypoints must have shape (T, 75, 3) or (T, 225)", StringComparison.Ordinal)
                && p.Problem.EndsWith("found (2, 74, 3)", StringComparison.Ordinal));
            // 4 frames × 768 float32 values = 12288 bytes, 4 cut off
            Assert.Contains(new DataProblem(truncated, "truncated: shape (4, 768) of float32 needs 12288 data bytes but only 12284 follow the header"),
                inspection.Report.Problems);
        }
        Assert.Equal(full.Report.Problems.Where(p => !p.Problem.Contains("NaN/Inf", StringComparison.Ordinal)), headers.Report.Problems);
    }

    [Fact]
    public void Inspect_HeadersOnly_DoesNotSeeValueProblemsOrHands()
    {
        WriteMixedProblems();
        string nan = _dir.File("siglip_vitb16", "e.npy");

        DatasetInspection headers = DatasetInspector.Inspect(Root, InspectionDepth.HeadersOnly);
        DatasetInspection full = DatasetInspector.Inspect(Root, InspectionDepth.Full);

        Assert.Contains(full.Report.Problems, p => p.File == nan && p.Problem.StartsWith("SigLIP features contain 1 NaN/Inf", StringComparison.Ordinal));
        Assert.DoesNotContain(headers.Report.Problems, p => p.File == nan);
        SplitReport fullTest = full.Report.Splits.Single(s => s.Split == "test");
        SplitReport headerTest = headers.Report.Splits.Single(s => s.Split == "test");
        Assert.Equal((1, 1), (fullTest.InvalidSiglip, fullTest.WithBothFeatures));
        Assert.Equal((0, 2), (headerTest.InvalidSiglip, headerTest.WithBothFeatures));
        Assert.Equal(2, headers.SamplesOf("test").Single(s => s.Sample.Name == "e").SiglipFrames);   // declared shape (2, 768)
        Assert.Null(full.SamplesOf("test").Single(s => s.Sample.Name == "e").SiglipFrames);
        Assert.Equal(1 / 9.0, full.Report.Splits[0].LeftHandMissingRatio!.Value, 12);                 // a: frame 1 of a 4 + c 5
        Assert.All(headers.Report.Splits, s => Assert.Null(s.LeftHandMissingRatio));
        Assert.All(headers.Report.Splits, s => Assert.Null(s.RightHandMissingRatio));
    }

    [Fact]
    public void Inspect_ReportOverload_IsTheFullInspection()
    {
        WriteMixedProblems();

        DatasetReport report = DatasetInspector.Inspect(Root);

        Assert.Equal(DatasetInspector.Inspect(Root, InspectionDepth.Full).Report.Problems, report.Problems);
        Assert.Contains(report.Problems, p => p.Problem.Contains("NaN/Inf", StringComparison.Ordinal));
    }

    private sealed class SynchronousProgress(List<InspectionProgress> sink) : IProgress<InspectionProgress>
    {
        public void Report(InspectionProgress value) => sink.Add(value);
    }
}
