using System.Text.Json;
using PhoenixSlt.Training.Specs;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Services.Runs;

/// Reads runs, metrics, logs and checkpoints from the portal's database (queries for the pages and the API).
public sealed class RunStore(IDbContextFactory<PhoenixDbContext> contexts)
{
    /// JSON of stored configs and metric dictionaries: camelCase, as the REST API.
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// Runs matching <paramref name="query"/>, in its order.
    public async Task<IReadOnlyList<RunInfo>> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<RunEntity> runs = db.Runs.AsNoTracking();
        if (query.Status is JobStatus status)
            runs = runs.Where(r => r.Status == status);
        if (!string.IsNullOrWhiteSpace(query.Phase))
            runs = runs.Where(r => r.Phase == query.Phase);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            string pattern = $"%{query.Search.Trim()}%";
            runs = runs.Where(r => EF.Functions.Like(r.Name, pattern) || EF.Functions.Like(r.Dataset, pattern));
        }
        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            // an invalid tag is carried by no run
            string? tagPattern = TagList.LikePattern(query.Tag);
            runs = tagPattern is null ? runs.Where(r => false) : runs.Where(r => EF.Functions.Like(r.Tags, tagPattern));
        }
        if (query.GroupId is int groupId)
            runs = runs.Where(r => r.GroupId == groupId);
        var list = (await runs.ToListAsync(cancellationToken).ConfigureAwait(false)).Select(ToInfo);
        var sorted = Sort(list, query.Sort, query.Descending, DateTime.UtcNow);
        return [.. query.Limit is int limit ? sorted.Take(limit) : sorted];
    }

    /// The run, or null when there is none with that id.
    public async Task<RunInfo?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        return run is null ? null : ToInfo(run);
    }

    /// The run with its settings and latest validation translations, or null.
    public async Task<RunDetails?> GetDetailsAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        return run is null ? null : new RunDetails(ToInfo(run), ConfigOf(run), SamplesOf(run));
    }

    /// The metric points of run <paramref name="runId"/> in step order (per stage), optionally of some names only.
    public async Task<IReadOnlyList<MetricValue>> GetMetricsAsync(int runId, IReadOnlyCollection<string>? names = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<MetricPoint> points = db.MetricPoints.AsNoTracking().Where(m => m.RunId == runId);
        if (names is { Count: > 0 })
            points = points.Where(m => names.Contains(m.Name));
        return await points.OrderBy(m => m.Id)
            .Select(m => new MetricValue(m.Stage, m.Step, m.Epoch, m.Name, m.Value, m.Time))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// The last <paramref name="count"/> log lines of run <paramref name="runId"/>, oldest first.
    public async Task<IReadOnlyList<RunLogEntry>> GetLogTailAsync(int runId, int count = 200, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var lines = await db.RunLogLines.AsNoTracking().Where(l => l.RunId == runId)
            .OrderByDescending(l => l.Id).Take(count)
            .Select(l => new RunLogEntry(l.Id, l.Time, l.Level, l.Text))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        lines.Reverse();
        return lines;
    }

    /// Checkpoints matching <paramref name="query"/>, newest first.
    public async Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(CheckpointQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new CheckpointQuery();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<CheckpointEntity> checkpoints = db.Checkpoints.AsNoTracking();
        if (query.RunId is int runId)
            checkpoints = checkpoints.Where(c => c.RunId == runId);
        if (!string.IsNullOrWhiteSpace(query.Phase))
            checkpoints = checkpoints.Where(c => c.Phase == query.Phase);
        if (query.BestOnly)
            checkpoints = checkpoints.Where(c => c.IsBest);
        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            string? tagPattern = TagList.LikePattern(query.Tag);
            checkpoints = tagPattern is null ? checkpoints.Where(c => false) : checkpoints.Where(c => EF.Functions.Like(c.Tags, tagPattern));
        }
        var list = await checkpoints.ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Path, StringComparer.Ordinal).Select(ToInfo)];
    }

    /// The validation metrics of each run's best checkpoint (the run's best/ folder of its last stage with one: for
    /// a pipeline the slt stage once it validated), by run id; runs without one are left out.
    public async Task<IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>>> GetBestMetricsAsync(IReadOnlyCollection<int> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var best = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id) && r.BestCheckpoint != null)
            .Join(db.Checkpoints.AsNoTracking(), r => r.BestCheckpoint, c => c.Path, (r, c) => new { r.Id, c.MetricsJson })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return best.ToDictionary(b => b.Id, b => ReadMetrics(b.MetricsJson));
    }

    public static RunInfo ToInfo(RunEntity run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunInfo
        {
            Id = run.Id,
            Name = run.Name,
            Phase = run.Phase,
            Stage = run.Stage,
            Status = run.Status,
            Dataset = run.Dataset,
            CreatedAt = run.CreatedAt,
            StartedAt = run.StartedAt,
            FinishedAt = run.FinishedAt,
            Device = run.Device,
            WorldSize = run.WorldSize,
            InitCheckpoint = run.InitCheckpoint,
            MBartFolder = run.MBartFolder,
            OutputFolder = run.OutputFolder,
            Error = run.Error,
            BestMetricName = run.BestMetricName,
            BestMetricValue = run.BestMetricValue,
            BestBleu4 = run.BestBleu4,
            BestCheckpoint = run.BestCheckpoint,
            ProgressStep = run.ProgressStep,
            ProgressTotal = run.ProgressTotal,
            Epoch = run.Epoch,
            SamplesPerSecond = run.SamplesPerSecond,
            EtaSeconds = run.EtaSeconds,
            ValidationDone = run.ValidationDone,
            ValidationTotal = run.ValidationTotal,
            Attempts = run.Attempts,
            GroupId = run.GroupId,
            GroupLabel = run.GroupLabel,
            Tags = TagList.Parse(run.Tags),
            Notes = run.Notes,
        };
    }

    public static CheckpointInfo ToInfo(CheckpointEntity checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new CheckpointInfo(checkpoint.Id, checkpoint.Path, checkpoint.Phase, checkpoint.RunId, checkpoint.Step,
            ReadMetrics(checkpoint.MetricsJson), checkpoint.IsBest, checkpoint.CreatedAt, checkpoint.SizeBytes)
        {
            Tags = TagList.Parse(checkpoint.Tags),
            Notes = checkpoint.Notes,
        };
    }

    /// The stored (resolved) run spec of <paramref name="run"/>; fields that cannot be read keep their defaults, and
    /// runs stored before the run spec existed (camelCase settings) are read through <see cref="LegacyRunSettings"/>.
    public static RunSpec ConfigOf(RunEntity run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var start = new RunSpec { Phase = run.Phase, Data = run.Dataset };
        var spec = RunSpecJson.Read(LegacyRunSettings.ToSpecJson(run.ConfigJson), start).Spec;
        return string.IsNullOrWhiteSpace(spec.Out) && !string.IsNullOrEmpty(run.OutputFolder)
            ? spec with { Out = PipelinePlan.RunOut(run.OutputFolder, spec.Phase) }
            : spec;
    }

    public static IReadOnlyDictionary<string, double> ReadMetrics(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new Dictionary<string, double>();
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, double>>(json, Json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, double>();
        }
    }

    private static IReadOnlyList<TranslationSample> SamplesOf(RunEntity run)
    {
        if (string.IsNullOrWhiteSpace(run.LatestSamplesJson))
            return [];
        try
        {
            return JsonSerializer.Deserialize<List<TranslationSample>>(run.LatestSamplesJson, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <paramref name="runs"/> in the order of <paramref name="field"/> (ties: newest first).
    public static IEnumerable<RunInfo> Sort(IEnumerable<RunInfo> runs, RunSortField field, bool descending, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(runs);
        IOrderedEnumerable<RunInfo> ordered = field switch
        {
            RunSortField.Name => Order(runs, r => r.Name, descending, StringComparer.OrdinalIgnoreCase),
            RunSortField.Status => Order(runs, r => r.Status.ToText(), descending, StringComparer.Ordinal),
            RunSortField.Phase => Order(runs, r => r.Phase, descending, StringComparer.Ordinal),
            RunSortField.BestBleu4 => Order(runs, r => r.BestBleu4 ?? double.NegativeInfinity, descending, Comparer<double>.Default),
            RunSortField.Duration => Order(runs, r => r.DurationAt(nowUtc) ?? TimeSpan.Zero, descending, Comparer<TimeSpan>.Default),
            _ => Order(runs, r => r.CreatedAt, descending, Comparer<DateTime>.Default),
        };
        return ordered.ThenByDescending(r => r.Id);
    }

    private static IOrderedEnumerable<RunInfo> Order<TKey>(IEnumerable<RunInfo> runs, Func<RunInfo, TKey> key, bool descending, IComparer<TKey> comparer)
        => descending ? runs.OrderByDescending(key, comparer) : runs.OrderBy(key, comparer);
}
