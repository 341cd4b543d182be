using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Tests.Services;

public sealed class DatasetOverviewCacheTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("phoenix-overview-cache");
    private readonly DatasetOverviewCache _cache = new(NullLogger<DatasetOverviewCache>.Instance);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// The handmade dataset with a NaN in the SigLIP features of tr1 (visible only when the values are read).
    private string NanFile()
    {
        HandmadeDataset.CreateComplete(_root);
        string file = Path.Combine(_root, "siglip_vitb16", "tr1.npy");
        float[] values = new float[5 * FeatureSpec.SiglipDim];
        values[7] = float.NaN;
        NpyFile.WriteFloat32(file, values, 5, FeatureSpec.SiglipDim);
        return file;
    }

    [Fact]
    public async Task GetAsync_DatasetWithNaN_HeadersOnlyOverviewSeesNoProblem()
    {
        NanFile();

        DatasetOverview overview = await _cache.GetAsync(_root);

        Assert.False(overview.FullCheck);
        Assert.Empty(overview.Report.Problems);
        Assert.Equal(5, overview.SamplesOf("train").Single(s => s.Sample.Name == "tr1").SiglipFrames);
        Assert.Null(overview.Report.Splits[0].LeftHandMissingRatio);
        Assert.Null(_cache.CachedFull(_root));
    }

    [Fact]
    public async Task GetFullAsync_DatasetWithNaN_ReadsValuesAndIsCached()
    {
        string nan = NanFile();

        DatasetOverview overview = await _cache.GetFullAsync(_root);

        Assert.True(overview.FullCheck);
        DataProblem problem = Assert.Single(overview.Report.Problems);
        Assert.Equal(nan, problem.File);
        Assert.StartsWith("SigLIP features contain 1 NaN/Inf value(s)", problem.Problem);
        Assert.Null(overview.SamplesOf("train").Single(s => s.Sample.Name == "tr1").SiglipFrames);
        Assert.Equal(1.0, overview.Report.Splits[0].LeftHandMissingRatio); // all-zero keypoints: no hand anywhere
        Assert.Same(overview, _cache.CachedFull(_root));
    }
}
