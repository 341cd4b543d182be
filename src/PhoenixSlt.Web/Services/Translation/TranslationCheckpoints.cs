using System.Globalization;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Translation;

/// A checkpoint a user may translate with: its registry id (null for a folder not yet registered) and folder.
public sealed record TranslationCheckpoint(int? Id, string Folder, string Label);

/// Resolves the checkpoint a translation names: a registry id, or a folder under the checkpoint root holding an slt
/// checkpoint. Anything else (other folders, other phases) is refused with a message, so a request can never make
/// the portal load files from an arbitrary path.
public sealed class TranslationCheckpoints(RunStore store, PhoenixPaths paths)
{
    /// The slt checkpoints of the registry, newest first.
    public async Task<IReadOnlyList<TranslationCheckpoint>> ListAsync(CancellationToken cancellationToken = default)
    {
        var checkpoints = await store.ListCheckpointsAsync(new CheckpointQuery(Phase: "slt"), cancellationToken).ConfigureAwait(false);
        return [.. checkpoints.Select(c => new TranslationCheckpoint(c.Id, c.Path, Label(c)))];
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
            return (new TranslationCheckpoint(found.Id, found.Path, Label(found)), null);
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

    private static string Label(CheckpointInfo c)
    {
        string best = c.IsBest ? " (best)" : "";
        string bleu = c.Metrics.TryGetValue("bleu4", out double b) ? $", BLEU-4 {b.ToString("F2", CultureInfo.InvariantCulture)}" : "";
        return $"#{c.Id} {Path.GetFileName(Path.TrimEndingDirectorySeparator(c.Path))}{best}, step {c.Step}{bleu}";
    }
}
