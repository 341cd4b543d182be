using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Services.Runs;

/// Keeps the checkpoints table in step with the folders: a checkpoint folder is one holding checkpoint.json
/// (<see cref="CheckpointFolder.IsCheckpoint"/>); run folders are CheckpointRoot/runs/&lt;id&gt;/&lt;stage&gt;/{best,last}.
public static class CheckpointCatalog
{
    public const string RunsFolder = "runs";

    /// The checkpoint row for <paramref name="folder"/> from its checkpoint.json, or null when that cannot be read.
    public static CheckpointEntity? Read(string folder, int? runId, bool? isBest = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        CheckpointMetadata metadata;
        try
        {
            metadata = CheckpointMetadata.Load(folder);
        }
        catch (CheckpointFormatException)
        {
            return null;
        }
        return new CheckpointEntity
        {
            Path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)),
            Phase = PhaseName(metadata.Phase),
            RunId = runId,
            Step = metadata.Step,
            MetricsJson = MetricsJson(metadata.Metrics),
            IsBest = isBest ?? string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), CheckpointFolder.Best, StringComparison.Ordinal),
            CreatedAt = metadata.CreatedUtc == default ? File.GetLastWriteTimeUtc(Path.Combine(folder, CheckpointFolder.MetadataFileName)) : metadata.CreatedUtc.UtcDateTime,
            SizeBytes = FolderSize(folder),
        };
    }

    /// Adds <paramref name="found"/>, or updates the row with the same path (a last/ folder is rewritten at every
    /// validation). A known run id is kept when <paramref name="found"/> has none.
    public static async Task<CheckpointEntity> UpsertAsync(PhoenixDbContext db, CheckpointEntity found, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(found);
        var existing = db.Checkpoints.Local.FirstOrDefault(c => c.Path == found.Path)
                       ?? await db.Checkpoints.FirstOrDefaultAsync(c => c.Path == found.Path, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            db.Checkpoints.Add(found);
            return found;
        }
        existing.Phase = found.Phase;
        existing.RunId = found.RunId ?? existing.RunId;
        existing.Step = found.Step;
        existing.MetricsJson = found.MetricsJson;
        existing.IsBest = found.IsBest;
        existing.CreatedAt = found.CreatedAt;
        existing.SizeBytes = found.SizeBytes;
        return existing;
    }

    /// Lists every checkpoint folder under <paramref name="checkpointRoot"/>, adds or updates their rows (run ids
    /// from the runs/&lt;id&gt;/ folders of runs that exist) and removes rows whose folder is gone. Returns the
    /// number of checkpoints found.
    public static async Task<int> ScanAsync(PhoenixDbContext db, string checkpointRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentException.ThrowIfNullOrEmpty(checkpointRoot);
        var runIds = (await db.Runs.Select(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var store = new CheckpointStore(checkpointRoot);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in store.List().Where(e => e.IsValid))
        {
            int? runId = RunIdOf(entry.Folder, store.Root);
            var found = Read(entry.Folder, runId is int id && runIds.Contains(id) ? id : null);
            if (found is null)
                continue;
            seen.Add(found.Path);
            await UpsertAsync(db, found, cancellationToken).ConfigureAwait(false);
        }
        var rows = await db.Checkpoints.ToListAsync(cancellationToken).ConfigureAwait(false);
        db.Checkpoints.RemoveRange(rows.Where(r => !seen.Contains(r.Path) && IsGone(r)));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return seen.Count;
    }

    /// A row whose folder no longer holds its checkpoint: checkpoint.json for our phases, config.json for an
    /// imported Hugging Face mBART folder (which has no checkpoint.json and may live outside the root).
    private static bool IsGone(CheckpointEntity row)
        => row.Phase == PhoenixSlt.Web.Services.Evaluation.MBartImport.Phase
            ? !File.Exists(Path.Combine(row.Path, "config.json"))
            : !CheckpointFolder.IsCheckpoint(row.Path);

    /// The run id of a folder under CheckpointRoot/runs/&lt;id&gt;/, or null.
    public static int? RunIdOf(string folder, string checkpointRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(checkpointRoot);
        string relative = Path.GetRelativePath(Path.GetFullPath(checkpointRoot), Path.GetFullPath(folder));
        string[] parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Length >= 2 && parts[0] == RunsFolder
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : null;
    }

    /// The finite entries of <paramref name="metrics"/> as a JSON object.
    public static string MetricsJson(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return JsonSerializer.Serialize(metrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    /// Total bytes of the files in <paramref name="folder"/> and below; 0 when it cannot be read.
    public static long FolderSize(string folder)
    {
        try
        {
            return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string PhaseName(CheckpointPhase phase) => phase switch
    {
        CheckpointPhase.Text => TrainingPhaseNames.Text,
        CheckpointPhase.Vlp => TrainingPhaseNames.Vlp,
        CheckpointPhase.Slt => TrainingPhaseNames.Slt,
        _ => "mbart",
    };
}
