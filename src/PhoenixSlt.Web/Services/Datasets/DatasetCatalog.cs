using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Datasets;

/// A dataset folder: <see cref="Path"/> holds annotations/ (and usually kpts/ and siglip_vitb16/).
public sealed record DatasetEntry(string Name, string Path);

/// Lists the datasets under the data root: every direct subfolder with an annotations/ folder,
/// plus the data root itself when it is laid out as one dataset (data/annotations/…). Folders whose name
/// starts with '.' are skipped (datasets being generated are written to such a folder first).
public sealed class DatasetCatalog(PhoenixPaths paths)
{
    public string DataRoot => paths.DataRoot;

    public IReadOnlyList<DatasetEntry> List() => ListUnder(paths.DataRoot);

    /// The dataset called <paramref name="name"/>, or null.
    public DatasetEntry? Find(string name) => List().FirstOrDefault(d => d.Name == name);

    public static IReadOnlyList<DatasetEntry> ListUnder(string dataRoot)
    {
        var result = new List<DatasetEntry>();
        if (!Directory.Exists(dataRoot))
            return result;
        if (IsDataset(dataRoot))
            result.Add(new DatasetEntry(Path.GetFileName(Path.TrimEndingDirectorySeparator(dataRoot)), dataRoot));
        foreach (string dir in Directory.EnumerateDirectories(dataRoot).Order(StringComparer.Ordinal))
            if (!Path.GetFileName(dir).StartsWith('.') && IsDataset(dir))
                result.Add(new DatasetEntry(Path.GetFileName(dir), dir));
        return result;
    }

    public static bool IsDataset(string dir) => Directory.Exists(Path.Combine(dir, DatasetLayout.AnnotationsFolder));
}
