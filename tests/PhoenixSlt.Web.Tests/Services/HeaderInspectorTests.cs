using PhoenixSlt.Core.Data;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Tests.Services;

public class HeaderInspectorTests
{
    [Fact]
    public void Inspect_CompleteDataset_CountsSamplesAndFramesFromHeaders()
    {
        string root = HandmadeDataset.CreateComplete(TestPaths.NewTempDir());

        DatasetOverview overview = HeaderInspector.Inspect(root);

        Assert.Empty(overview.Report.Problems);
        SplitReport train = overview.Report.Splits.Single(s => s.Split == "train");
        Assert.Equal(3, train.Samples);
        Assert.Equal(3, train.WithBothFeatures);
        Assert.Equal(new FrameStats(3, 10, 20.0, 30), train.KeypointFrames);
        Assert.Equal(new FrameStats(3, 5, 10.0, 15), train.SiglipFrames);
        Assert.Equal(3, train.KeypointFrameHistogram.Sum(b => b.Count));
        Assert.Equal([3, 1, 1], overview.Report.Splits.Select(s => s.Samples));
        Assert.Equal(5, overview.Report.TotalSamples);
        SampleInfo tr3 = overview.SamplesOf("train").Single(s => s.Sample.Name == "tr3");
        Assert.Equal((30, 15), (tr3.KeypointFrames, tr3.SiglipFrames));
        Assert.Equal("Signer05", tr3.Sample.Speaker);
    }

    [Fact]
    public void Inspect_MissingAndMisshapenFiles_ReportsEachProblemWithItsFile()
    {
        string root = TestPaths.NewTempDir();
        HandmadeDataset.CreateComplete(root);
        HandmadeDataset.Write(root, "dev", [new("dv1", 12, 6), new("dv2", 0, 4)]);
        string wrong = Path.Combine(root, "siglip_vitb16", "dv1.npy");
        NpyFile.WriteFloat32(wrong, new float[6 * 512], 6, 512);

        DatasetOverview overview = HeaderInspector.Inspect(root);

        SplitReport dev = overview.Report.Splits.Single(s => s.Split == "dev");
        Assert.Equal(2, dev.Samples);
        Assert.Equal(0, dev.WithBothFeatures);
        Assert.Equal(1, dev.MissingKeypoints);
        Assert.Equal(1, dev.InvalidSiglip);
        Assert.Contains(overview.Report.Problems, p => p.Problem.Contains("no keypoints file for sample 'dv2'"));
        Assert.Contains(overview.Report.Problems, p => p.File == wrong && p.Problem.Contains("found (6, 512)"));
    }

    [Fact]
    public void Inspect_TruncatedFile_ReportsTruncation()
    {
        string root = HandmadeDataset.CreateComplete(TestPaths.NewTempDir());
        string file = Path.Combine(root, "kpts", "train", "tr1.npy");
        using (var fs = new FileStream(file, FileMode.Open))
            fs.SetLength(fs.Length - 4);

        DatasetOverview overview = HeaderInspector.Inspect(root);

        DataProblem problem = Assert.Single(overview.Report.Problems);
        Assert.Equal(file, problem.File);
        Assert.StartsWith("truncated", problem.Problem);
        Assert.Equal(1, overview.Report.Splits[0].InvalidKeypoints);
    }

    [Fact]
    public void Inspect_NoAnnotationForSplit_ReportsMissingSplit()
    {
        string root = TestPaths.NewTempDir();
        HandmadeDataset.Write(root, "train", [new("a", 3, 2)]);

        DatasetOverview overview = HeaderInspector.Inspect(root);

        Assert.Contains(overview.Report.Problems, p => p.Problem.StartsWith("no annotation file for split 'dev'"));
        Assert.Contains(overview.Report.Problems, p => p.Problem.StartsWith("no annotation file for split 'test'"));
        Assert.DoesNotContain(overview.Report.Problems, p => p.Problem.Contains("split 'train'"));
        Assert.Equal(0, overview.Report.Splits.Single(s => s.Split == "test").Samples);
    }
}
