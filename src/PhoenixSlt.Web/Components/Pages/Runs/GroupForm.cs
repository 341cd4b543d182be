using System.Globalization;
using System.Text.Json;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Groups;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// One row of the New-run form's sweep: a run-spec field and its comma-separated values, or (random search) a
/// min/max range, log-uniform when <see cref="Log"/>. Texts as typed.
public sealed class SweepRow
{
    public string? Field { get; set; }
    public string? Values { get; set; }
    public string? Min { get; set; }
    public string? Max { get; set; }
    public bool Log { get; set; }
}

/// What the New-run form will queue: the number of runs, of settings and of seeds, or the problems that prevent it
/// (keyed like <see cref="RunGroupService"/>'s: seeds, sweep, kind).
public sealed record GroupPreview(int Runs, int Settings, int Seeds, IReadOnlyDictionary<string, IReadOnlyList<string>> Problems)
{
    public bool IsValid => Problems.Count == 0;

    public IReadOnlyList<string> For(string key) => Problems.GetValueOrDefault(key) ?? [];
}

/// The New-run form's seeds, sweep and ablation inputs as a <see cref="RunGroupRequest"/>; the counting and the rules
/// are <see cref="RunGroupPlan"/>'s and <see cref="SweepPlan"/>'s, so the form shows what the service will queue.
public static class GroupForm
{
    /// Settings a sweep may vary: the run spec's fields minus <see cref="SweepPlan.Unsweepable"/>, in the table's order.
    public static IReadOnlyList<SpecField> SweepableFields { get; } =
        [.. RunSpecFields.All.Where(f => !SweepPlan.Unsweepable.Contains(f.Name))];

    /// The kind of group the form queues: a sweep when the sweep is on, seeds for more than one seed, else none
    /// (a single run as before).
    public static string? KindOf(int seedCount, bool sweep) => sweep ? RunGroupKinds.Sweep : seedCount > 1 ? RunGroupKinds.Seeds : null;

    /// The seed count typed in the form, or the problem ("1" when empty).
    public static (int Count, string? Problem) ParseSeeds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return (1, null);
        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? (n, null)
            : (1, $"The number of seeds must be a whole number (got '{text.Trim()}').");
    }

    /// The sweep of the form's rows (rows without a field are ignored), or the problems of texts that are not numbers.
    public static (SweepDefinition Sweep, IReadOnlyList<string> Problems) Sweep(string mode, IEnumerable<SweepRow> rows, string? countText, int drawSeed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var problems = new List<string>();
        var parameters = new List<SweepParameter>();
        foreach (var row in rows.Where(r => !string.IsNullOrWhiteSpace(r.Field)))
        {
            string field = row.Field!.Trim();
            string[] values = (row.Values ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length > 0 || mode != SweepModes.Random)
            {
                parameters.Add(new SweepParameter { Field = field, Values = values });
                continue;
            }
            double? min = Number(row.Min, $"{field} min", problems), max = Number(row.Max, $"{field} max", problems);
            parameters.Add(new SweepParameter { Field = field, Min = min, Max = max, Log = row.Log });
        }
        int? count = null;
        if (mode == SweepModes.Random && !string.IsNullOrWhiteSpace(countText))
        {
            if (int.TryParse(countText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
                count = n;
            else
                problems.Add($"The number of random points must be a whole number (got '{countText.Trim()}').");
        }
        return (new SweepDefinition { Mode = mode, Parameters = parameters, Count = count, DrawSeed = drawSeed }, problems);
    }

    /// What <paramref name="kind"/> with these seeds (and sweep) would queue from <paramref name="spec"/>: the same
    /// plan as <see cref="RunGroupService.CreateAsync"/> (<see cref="RunGroupPlan.Seeds"/>, <see cref="RunGroupPlan.Members"/>).
    /// Null kind: one run.
    public static GroupPreview Preview(string? kind, RunSpec spec, int seedCount, SweepDefinition? sweep, IReadOnlyList<string>? sweepInputProblems = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (sweepInputProblems is { Count: > 0 })
            problems[RunGroupService.SweepField] = sweepInputProblems;
        var (seeds, seedProblem) = RunGroupPlan.Seeds(null, seedCount, spec.Seed);
        if (seedProblem is not null)
            problems[RunGroupService.SeedsField] = [seedProblem];
        if (problems.Count > 0)
            return new GroupPreview(0, 0, seeds.Count, problems);
        if (kind is null)
            return new GroupPreview(1, 1, 1, problems);
        var (members, planProblems) = RunGroupPlan.Members(kind, spec, new RunGroupDefinition { Seeds = seeds, Sweep = kind == RunGroupKinds.Sweep ? sweep : null });
        if (planProblems.Count > 0)
        {
            problems[kind == RunGroupKinds.Sweep ? RunGroupService.SweepField : RunGroupService.KindField] = planProblems;
            return new GroupPreview(0, 0, seeds.Count, problems);
        }
        return new GroupPreview(members.Count, members.Select(m => m.Label).Distinct(StringComparer.Ordinal).Count(), seeds.Count, problems);
    }

    /// "4 runs (2 settings × 2 seeds)", "1 run".
    public static string Describe(GroupPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        string runs = preview.Runs == 1 ? "1 run" : $"{preview.Runs} runs";
        if (preview.Runs <= 1)
            return runs;
        string settings = preview.Settings == 1 ? "1 setting" : $"{preview.Settings} settings";
        string seeds = preview.Seeds == 1 ? "1 seed" : $"{preview.Seeds} seeds";
        return $"{runs} ({settings} × {seeds})";
    }

    /// The request the form sends: the spec as snake_case JSON, the group named after the run name when there is one.
    public static RunGroupRequest Request(string kind, RunSpec spec, int seedCount, SweepDefinition? sweep)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var json = JsonDocument.Parse(RunSpecJson.Write(spec));
        return new RunGroupRequest
        {
            Kind = kind,
            Name = string.IsNullOrWhiteSpace(spec.Name) ? null : spec.Name.Trim(),
            Spec = json.RootElement.Clone(),
            SeedCount = seedCount,
            Sweep = kind == RunGroupKinds.Sweep ? sweep : null,
        };
    }

    private static double? Number(string? text, string what, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            return value;
        problems.Add($"{what}: '{text.Trim()}' is not a number.");
        return null;
    }
}
