using System.Collections.Concurrent;
using System.Diagnostics;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Datasets;

/// Inspection results per dataset folder, kept until the dataset's files change (annotation files and the
/// feature folders' modification times) or a refresh is asked for. Inspections run on the thread pool and
/// one dataset is inspected at most once at a time, however many pages ask.
public sealed class DatasetOverviewCache(ILogger<DatasetOverviewCache> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// The header-only overview (fast), cached.
    public Task<DatasetOverview> GetAsync(string root, bool refresh = false)
        => GetOrStart(root, full: false, refresh, progress: null);

    /// The full check, which reads every value of every feature file (slow on large datasets), cached.
    public Task<DatasetOverview> GetFullAsync(string root, IProgress<InspectionProgress>? progress = null, bool refresh = false)
        => GetOrStart(root, full: true, refresh, progress);

    /// The cached full check of <paramref name="root"/> if one finished for the current files, else null.
    public DatasetOverview? CachedFull(string root)
        => _entries.TryGetValue(Key(root, full: true), out Entry? entry) && entry.Task.IsCompletedSuccessfully
           && entry.Fingerprint == Fingerprint(root) ? entry.Task.Result : null;

    /// Forgets every result of <paramref name="root"/>.
    public void Invalidate(string root)
    {
        _entries.TryRemove(Key(root, full: false), out _);
        _entries.TryRemove(Key(root, full: true), out _);
    }

    private Task<DatasetOverview> GetOrStart(string root, bool full, bool refresh, IProgress<InspectionProgress>? progress)
    {
        string fingerprint = Fingerprint(root);
        string key = Key(root, full);
        while (true)
        {
            if (_entries.TryGetValue(key, out Entry? existing))
            {
                bool reusable = !refresh && existing.Fingerprint == fingerprint && !existing.Task.IsFaulted && !existing.Task.IsCanceled;
                if (reusable || (!existing.Task.IsCompleted && existing.Fingerprint == fingerprint))
                    return existing.Task;
                var replacement = new Entry(fingerprint, Start(root, full, progress));
                if (_entries.TryUpdate(key, replacement, existing))
                    return replacement.Task;
            }
            else
            {
                var created = new Entry(fingerprint, Start(root, full, progress));
                if (_entries.TryAdd(key, created))
                    return created.Task;
            }
        }
    }

    private Task<DatasetOverview> Start(string root, bool full, IProgress<InspectionProgress>? progress) => Task.Run(() =>
    {
        var clock = Stopwatch.StartNew();
        DatasetInspection inspection = DatasetInspector.Inspect(root, full ? InspectionDepth.Full : InspectionDepth.HeadersOnly, progress);
        var overview = new DatasetOverview(inspection, DateTimeOffset.UtcNow, clock.Elapsed);
        logger.LogInformation("Inspected {Dataset} ({Mode}) in {ElapsedMs} ms: {Samples} samples, {Problems} problems",
            root, full ? "full" : "headers", clock.ElapsedMilliseconds, overview.Report.TotalSamples, overview.Report.Problems.Count);
        return overview;
    });

    private static string Key(string root, bool full) => (full ? "full:" : "headers:") + Path.GetFullPath(root);

    /// Changes when an annotation file or a feature folder (or its split subfolders) changes.
    public static string Fingerprint(string root)
    {
        var layout = new DatasetLayout(root);
        IEnumerable<string> folders = [layout.AnnotationsDir, layout.KeypointsDir, layout.SiglipDir,
            .. DatasetLayout.Splits.SelectMany(s => new[] { Path.Combine(layout.KeypointsDir, s), Path.Combine(layout.SiglipDir, s) })];
        IEnumerable<string> files = Directory.Exists(layout.AnnotationsDir)
            ? Directory.EnumerateFiles(layout.AnnotationsDir).Order(StringComparer.Ordinal)
            : [];
        return string.Join('|',
            folders.Select(d => Directory.Exists(d) ? Directory.GetLastWriteTimeUtc(d).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")
                .Concat(files.Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}")));
    }

    private sealed record Entry(string Fingerprint, Task<DatasetOverview> Task);
}
