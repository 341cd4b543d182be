using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Groups;

/// A created group, or the problems (by field, like a spec's) that prevented it.
public sealed record RunGroupCreateResult(RunGroupInfo? Group, IReadOnlyDictionary<string, string[]> Problems)
{
    public bool Created => Group is not null;
}

/// Creates, reads and cancels run groups: seeds of one setting, sweeps and the pre-training ablation. Every member
/// spec is validated like a single run's before anything is queued; the group and its runs are written in one
/// transaction and queued in order under the device-slot rules like any run.
public sealed class RunGroupService(IDbContextFactory<PhoenixDbContext> contexts, RunService runs, RunStore store, TimeProvider time)
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// Keys of group-level problems (the spec's own problems keep their field names).
    public const string KindField = "kind";
    public const string NameField = "name";
    public const string SeedsField = "seeds";
    public const string SweepField = "sweep";
    public const string SpecField = "spec";

    public async Task<RunGroupCreateResult> CreateAsync(RunGroupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string key, string message) => (problems.TryGetValue(key, out var list) ? list : problems[key] = []).Add(message);

        if (!RunGroupKinds.IsKnown(request.Kind))
            Add(KindField, $"Group kind '{request.Kind}' is not known; use one of {string.Join(", ", RunGroupKinds.All)}.");
        string? name = request.Name?.Trim();
        if (name is { Length: > 100 })
            Add(NameField, "The group name is longer than 100 characters.");
        RunSpec spec = new();
        if (request.Spec is JsonElement element)
        {
            var (read, readProblems) = RunSpecJson.Read(element.GetRawText());
            spec = read;
            foreach (var (key, messages) in readProblems.Errors)
                foreach (string m in messages)
                    Add(key, m);
        }
        else
            Add(SpecField, "A group needs the run spec its runs start from.");
        var (seeds, seedProblem) = RunGroupPlan.Seeds(request.Seeds, request.SeedCount, spec.Seed);
        if (seedProblem is not null)
            Add(SeedsField, seedProblem);
        if (request.Kind == RunGroupKinds.Sweep && request.Sweep is null)
            Add(SweepField, "A sweep group needs a sweep: its mode and parameters.");
        if (problems.Count > 0)
            return Failed(problems);

        var definition = new RunGroupDefinition { Seeds = seeds, Sweep = request.Kind == RunGroupKinds.Sweep ? request.Sweep : null };
        var (members, planProblems) = RunGroupPlan.Members(request.Kind, spec, definition);
        foreach (string p in planProblems)
            Add(request.Kind == RunGroupKinds.Sweep ? SweepField : KindField, p);
        if (problems.Count > 0)
            return Failed(problems);

        string groupName = string.IsNullOrWhiteSpace(name) ? DefaultName(request.Kind, spec) : name;
        var named = members.Select(m => m with { Spec = m.Spec with { Name = RunGroupPlan.RunName(groupName, m) } }).ToList();
        // every member is validated; the problems of the first invalid one are reported (they are the same for all
        // but the swept fields), named by its setting
        foreach (var member in named)
        {
            var memberProblems = runs.Validate(member.Spec);
            if (memberProblems.IsValid)
                continue;
            foreach (var (key, messages) in memberProblems.Errors)
                foreach (string m in messages)
                    Add(key, member.Label.Length == 0 ? m : $"{member.Label}: {m}");
            return Failed(problems);
        }

        RunGroupInfo created;
        var infos = new List<RunInfo>();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var group = new RunGroupEntity
            {
                Name = groupName,
                Kind = request.Kind,
                CreatedAt = time.GetUtcNow().UtcDateTime,
                BaseSpecJson = RunSpecJson.Write(spec),
                DefinitionJson = JsonSerializer.Serialize(definition, Json),
            };
            db.RunGroups.Add(group);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var member in named)
                infos.Add(RunStore.ToInfo(await runs.AddRunAsync(db, member.Spec, group.Id, member.Label, cancellationToken).ConfigureAwait(false)));
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            created = ToInfo(group, infos, new Dictionary<int, IReadOnlyDictionary<string, double>>());
        }
        runs.Announce(infos);
        return new RunGroupCreateResult(created, new Dictionary<string, string[]>());
    }

    /// The groups, newest first, with their runs and summaries.
    public async Task<IReadOnlyList<RunGroupInfo>> ListAsync(int? limit = null, CancellationToken cancellationToken = default)
    {
        List<RunGroupEntity> groups;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            IQueryable<RunGroupEntity> query = db.RunGroups.AsNoTracking().OrderByDescending(g => g.Id);
            if (limit is int n)
                query = query.Take(n);
            groups = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        var result = new List<RunGroupInfo>();
        foreach (var group in groups)
            result.Add(await LoadAsync(group, cancellationToken).ConfigureAwait(false));
        return result;
    }

    /// The group, or null.
    public async Task<RunGroupInfo?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        RunGroupEntity? group;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            group = await db.RunGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, cancellationToken).ConfigureAwait(false);
        return group is null ? null : await LoadAsync(group, cancellationToken).ConfigureAwait(false);
    }

    /// Cancels every queued or running member; null when the group does not exist, else the runs asked to stop.
    public async Task<IReadOnlyList<int>?> CancelAsync(int id, CancellationToken cancellationToken = default)
    {
        var group = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (group is null)
            return null;
        var stopped = new List<int>();
        // queued runs first, so that none starts while the running ones stop
        foreach (var run in group.Runs.Where(r => r.Status.IsActive()).OrderBy(r => r.Status == JobStatus.Running))
            if ((await runs.CancelAsync(run.Id, cancellationToken).ConfigureAwait(false)).Outcome == RunCommandOutcome.Done)
                stopped.Add(run.Id);
        return stopped;
    }

    /// Sets the group's notes; false when it does not exist.
    public async Task<bool> SetNotesAsync(int id, string? notes, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        string? value = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        return await db.RunGroups.Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.Notes, value), cancellationToken).ConfigureAwait(false) > 0;
    }

    private async Task<RunGroupInfo> LoadAsync(RunGroupEntity group, CancellationToken cancellationToken)
    {
        var members = await store.ListAsync(new RunQuery(GroupId: group.Id, Sort: RunSortField.Created, Descending: false), cancellationToken).ConfigureAwait(false);
        var best = await store.GetBestMetricsAsync([.. members.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        return ToInfo(group, members, best);
    }

    private static RunGroupInfo ToInfo(RunGroupEntity group, IReadOnlyList<RunInfo> members, IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>> best) => new()
    {
        Id = group.Id,
        Name = group.Name,
        Kind = group.Kind,
        CreatedAt = group.CreatedAt,
        Notes = group.Notes,
        Definition = ReadDefinition(group.DefinitionJson),
        BaseSpec = RunSpecJson.Read(group.BaseSpecJson).Spec,
        Runs = [.. members.OrderBy(r => r.Id)],
        Settings = GroupSummary.Settings(members, best),
    };

    private static RunGroupDefinition ReadDefinition(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RunGroupDefinition>(json, Json) ?? new RunGroupDefinition();
        }
        catch (JsonException)
        {
            return new RunGroupDefinition();
        }
    }

    /// "seeds: slt on phoenix-synth" etc.
    private static string DefaultName(string kind, RunSpec spec)
    {
        string what = string.IsNullOrWhiteSpace(spec.Name) ? $"{spec.Phase} on {spec.Data}" : spec.Name.Trim();
        string name = $"{kind}: {what}";
        return name.Length <= 100 ? name : name[..99] + "…";
    }

    private static RunGroupCreateResult Failed(Dictionary<string, List<string>> problems)
        => new(null, problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
}
