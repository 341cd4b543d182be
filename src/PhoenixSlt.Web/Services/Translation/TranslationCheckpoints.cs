using System.Globalization;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Translation;

/// A checkpoint a user may translate with: its registry id (null for a folder not yet registered) and folder.
public sealed record TranslationCheckpoint(int? Id, string Folder, string Label)
{
    /// The value the Translate page and the API name it by: the id, else the folder.
    public string Key => Id?.ToString(CultureInfo.InvariantCulture) ?? Folder;
}

/// The checkpoints to choose from and the id of the one to offer first (null when there is none).
public sealed record TranslationChoices(IReadOnlyList<TranslationCheckpoint> Checkpoints, int? DefaultId);

/// Resolves the checkpoint a translation names: a registry id, or a folder under the checkpoint root holding an slt
/// checkpoint. Anything else (other folders, other phases) is refused with a message, so a request can never make
/// the portal load files from an arbitrary path.
public sealed class TranslationCheckpoints(RunStore store, PhoenixPaths paths)
{
    /// The slt checkpoints of the registry, newest first.
    public async Task<IReadOnlyList<TranslationCheckpoint>> ListAsync(CancellationToken cancellationToken = default)
        => (await ChoicesAsync(cancellationToken).ConfigureAwait(false)).Checkpoints;

    /// The slt checkpoints of the registry (newest first) and the one to offer first (<see cref="DefaultOf"/>).
    public async Task<TranslationChoices> ChoicesAsync(CancellationToken cancellationToken = default)
    {
        var checkpoints = await store.ListCheckpointsAsync(new CheckpointQuery(Phase: "slt"), cancellationToken).ConfigureAwait(false);
        var runs = (await store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Id);
        var list = checkpoints.Select(c => new TranslationCheckpoint(c.Id, c.Path,
            Label(c, c.RunId is int runId ? runs.GetValueOrDefault(runId) : null, paths.CheckpointRoot))).ToList();
        return new TranslationChoices(list, DefaultOf(checkpoints, [.. runs.Values]));
    }

    /// The checkpoint to offer first: the best checkpoint of the newest completed run (by finish time); without
    /// one, the newest best checkpoint; without one, the newest checkpoint; null when there is none.
    public static int? DefaultOf(IReadOnlyList<CheckpointInfo> checkpoints, IReadOnlyList<RunInfo> runs)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(runs);
        var bestOfRun = checkpoints.Where(c => c.IsBest && c.RunId is not null)
            .GroupBy(c => c.RunId!.Value).ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.CreatedAt).First());
        var newestCompleted = runs.Where(r => r.Status == JobStatus.Completed && bestOfRun.ContainsKey(r.Id))
            .OrderByDescending(r => r.FinishedAt ?? r.CreatedAt).ThenByDescending(r => r.Id).FirstOrDefault();
        if (newestCompleted is not null)
            return bestOfRun[newestCompleted.Id].Id;
        return (checkpoints.Where(c => c.IsBest).OrderByDescending(c => c.CreatedAt).FirstOrDefault()
                ?? checkpoints.OrderByDescending(c => c.CreatedAt).FirstOrDefault())?.Id;
    }

    /// The checkpoint named by <paramref name="idOrPath"/>, or the problem to show.
    public async Task<(TranslationCheckpoint? Checkpoint, string? Problem)> ResolveAsync(string? idOrPath, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(idOrPath))
            return (null, "Choose a checkpoint: give the id of an slt checkpoint (GET /api/checkpoints?phase=slt) or its folder under the checkpoint root.");
        if (int.TryParse(idOrPath, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            var all = await store.ListCheckpointsAsync(new CheckpointQuery(), cancellationToken).ConfigureAwait(false);
            var found = all.FirstOrDefault(c => c.Id == id);
            if (found is null)
                return (null, $"Checkpoint {id} is not in the registry; list the checkpoints with GET /api/checkpoints?phase=slt.");
            if (!string.Equals(found.Phase, "slt", StringComparison.OrdinalIgnoreCase))
                return (null, $"Checkpoint {id} is a {found.Phase} checkpoint; only slt checkpoints translate.");
            var run = found.RunId is int runId ? await store.GetAsync(runId, cancellationToken).ConfigureAwait(false) : null;
            return (new TranslationCheckpoint(found.Id, found.Path, Label(found, run, paths.CheckpointRoot)), null);
        }
        return ResolveFolder(idOrPath, paths.CheckpointRoot);
    }

    /// A folder under <paramref name="checkpointRoot"/> (absolute or relative to it) holding an slt checkpoint.
    public static (TranslationCheckpoint? Checkpoint, string? Problem) ResolveFolder(string path, string checkpointRoot)
    {
        ArgumentNullException.ThrowIfNull(path);
        string root = Path.GetFullPath(checkpointRoot);
        string full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(root, path));
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            return (null, $"Checkpoint '{path}' is outside the checkpoint root; give a checkpoint id or a folder under the checkpoint root.");
        if (!Directory.Exists(full))
            return (null, $"Checkpoint folder '{path}' does not exist; list the checkpoints with GET /api/checkpoints?phase=slt.");
        try
        {
            var metadata = CheckpointMetadata.Load(full);
            if (metadata.Phase != CheckpointPhase.Slt)
                return (null, $"Checkpoint '{path}' is a {metadata.Phase.ToString().ToLowerInvariant()} checkpoint; only slt checkpoints translate.");
        }
        catch (Exception ex) when (ex is CheckpointFormatException or IOException)
        {
            return (null, $"Checkpoint '{path}' cannot be read: {ex.Message}");
        }
        return (new TranslationCheckpoint(null, full, Path.GetRelativePath(root, full)), null);
    }

    /// What a user picks a checkpoint by: its run (id, name and stage) or its folder under the checkpoint root, which
    /// of the run's checkpoints it is (best by validation, or last), the step and the BLEU-4 of its validation, e.g.
    /// "run 3 “demo” · best checkpoint · step 120 · BLEU-4 4.20".
    public static string Label(CheckpointInfo checkpoint, RunInfo? run, string checkpointRoot)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint.Path));
        string which = folder == CheckpointFolder.Best ? "best checkpoint" : folder == CheckpointFolder.Last ? "last checkpoint" : folder;
        string owner = run is not null
            ? $"run {run.Id} “{run.Name}”" + (run.StageCount > 1 ? $" ({checkpoint.Phase} stage)" : "")
            : FolderName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(checkpoint.Path)) ?? checkpoint.Path, checkpointRoot);
        string bleu = checkpoint.Metrics.TryGetValue(MetricNames.Bleu4, out double b) ? $" · BLEU-4 {b.ToString("F2", CultureInfo.InvariantCulture)}" : "";
        return $"{owner} · {which} · step {checkpoint.Step}{bleu}";
    }

    /// A folder's path under the checkpoint root, or its name when it lies elsewhere.
    private static string FolderName(string folder, string checkpointRoot)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(checkpointRoot), Path.GetFullPath(folder));
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))
            : relative;
    }
}
