using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Tags;

/// The outcome of setting tags or notes: done, the item does not exist, or the tags are not valid.
public sealed record AnnotationResult(bool Found, string? Problem)
{
    public bool Done => Found && Problem is null;
}

/// Tags and notes of runs and checkpoints (the pages and the REST API). Changes to a run are pushed like any run
/// update.
public sealed class TagService(IDbContextFactory<PhoenixDbContext> contexts, RunNotifier notifier)
{
    /// Notes longer than this are refused.
    public const int MaxNotesLength = 10_000;

    /// Replaces the tags and/or notes of run <paramref name="runId"/> (null = leave as is).
    public async Task<AnnotationResult> AnnotateRunAsync(int runId, IReadOnlyList<string>? tags, string? notes, CancellationToken cancellationToken = default)
    {
        var (stored, problem) = Check(tags, notes);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        if (run is null || problem is not null)
            return new AnnotationResult(run is not null, problem);
        if (stored is not null)
            run.Tags = stored;
        if (notes is not null)
            run.Notes = notes.Trim().Length == 0 ? null : notes.Trim();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        notifier.Publish(new RunStateUpdate(RunStore.ToInfo(run)));
        return new AnnotationResult(true, null);
    }

    /// Replaces the tags and/or notes of checkpoint <paramref name="checkpointId"/> (null = leave as is).
    public async Task<AnnotationResult> AnnotateCheckpointAsync(int checkpointId, IReadOnlyList<string>? tags, string? notes, CancellationToken cancellationToken = default)
    {
        var (stored, problem) = Check(tags, notes);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await db.Checkpoints.FirstOrDefaultAsync(c => c.Id == checkpointId, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null || problem is not null)
            return new AnnotationResult(checkpoint is not null, problem);
        if (stored is not null)
            checkpoint.Tags = stored;
        if (notes is not null)
            checkpoint.Notes = notes.Trim().Length == 0 ? null : notes.Trim();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new AnnotationResult(true, null);
    }

    /// Every tag in use on runs, with how many runs carry it (case-insensitive, first spelling), most used first.
    public async Task<IReadOnlyList<KeyValuePair<string, int>>> RunTagsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var columns = await db.Runs.AsNoTracking().Where(r => r.Tags != "").Select(r => r.Tags).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. columns.SelectMany(TagList.Parse).GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
            .Select(g => new KeyValuePair<string, int>(g.First(), g.Count())).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase)];
    }

    private static (string? Stored, string? Problem) Check(IReadOnlyList<string>? tags, string? notes)
    {
        if (notes is { Length: > MaxNotesLength })
            return (null, $"Notes are longer than {MaxNotesLength} characters.");
        if (tags is null)
            return (null, null);
        var (normalized, problem) = TagList.Normalize(tags);
        return problem is null ? (TagList.Store(normalized), null) : (null, problem);
    }
}
