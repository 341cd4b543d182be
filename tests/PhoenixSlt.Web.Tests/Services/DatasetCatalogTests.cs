using PhoenixSlt.Tests;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Tests.Services;

public class DatasetCatalogTests
{
    [Fact]
    public void ListUnder_FoldersWithAndWithoutAnnotations_ListsOnlyDatasetsInNameOrder()
    {
        string dataRoot = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dataRoot, "zeta", "annotations"));
        Directory.CreateDirectory(Path.Combine(dataRoot, "alpha", "annotations"));
        Directory.CreateDirectory(Path.Combine(dataRoot, "not-a-dataset", "kpts"));

        IReadOnlyList<DatasetEntry> datasets = DatasetCatalog.ListUnder(dataRoot);

        Assert.Equal(["alpha", "zeta"], datasets.Select(d => d.Name));
        Assert.Equal(Path.Combine(dataRoot, "alpha"), datasets[0].Path);
    }

    [Fact]
    public void ListUnder_DataRootIsItselfADataset_ListsIt()
    {
        string dataRoot = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dataRoot, "annotations"));

        DatasetEntry entry = Assert.Single(DatasetCatalog.ListUnder(dataRoot));

        Assert.Equal(dataRoot, entry.Path);
    }

    [Fact]
    public void ListUnder_MissingDataRoot_IsEmpty()
    {
        Assert.Empty(DatasetCatalog.ListUnder(Path.Combine(TestPaths.NewTempDir(), "nope")));
    }
}
