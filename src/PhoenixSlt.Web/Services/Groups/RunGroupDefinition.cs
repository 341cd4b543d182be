namespace PhoenixSlt.Web.Services.Groups;

/// The kinds of run group.
public static class RunGroupKinds
{
    /// One setting, several seeds.
    public const string Seeds = "seeds";

    /// Grid or random search over settings (each point with the group's seeds).
    public const string Sweep = "sweep";

    /// The pre-training ablation: slt from scratch vs the full pipeline at the same slt budget, with the group's seeds.
    public const string Ablation = "ablation";

    public static IReadOnlyList<string> All { get; } = [Seeds, Sweep, Ablation];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);
}

/// How sweep points are chosen.
public static class SweepModes
{
    /// Every combination of the parameters' values.
    public const string Grid = "grid";

    /// <see cref="SweepDefinition.Count"/> points drawn at random (values uniformly, ranges uniformly or log-uniformly).
    public const string Random = "random";

    public static IReadOnlyList<string> All { get; } = [Grid, Random];
}

/// One swept setting: a run-spec field (snake_case, as in the spec JSON) with a list of values, or (random search
/// only) a numeric range [Min, Max], log-uniform when <see cref="Log"/>.
public sealed record SweepParameter
{
    public string Field { get; init; } = "";
    public IReadOnlyList<string>? Values { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public bool Log { get; init; }
}

/// A sweep: mode, parameters, number of random points and the seed of their draw.
public sealed record SweepDefinition
{
    public string Mode { get; init; } = SweepModes.Grid;
    public IReadOnlyList<SweepParameter> Parameters { get; init; } = [];

    /// Random search: how many points.
    public int? Count { get; init; }

    /// Random search: seed of the draw (the same definition always gives the same points).
    public int DrawSeed { get; init; }
}

/// What varies between the members of a group: the seeds (every setting runs with each) and, for a sweep, the
/// sweep. Stored with the group (<see cref="Data.RunGroupEntity.DefinitionJson"/>).
public sealed record RunGroupDefinition
{
    public IReadOnlyList<int> Seeds { get; init; } = [];
    public SweepDefinition? Sweep { get; init; }
}

/// A request for a new group (New-run page, POST /api/groups): kind, name, the base spec as snake_case JSON, the
/// seeds (a list, or a count from the spec's seed: seed, seed + 1, …) and the sweep.
public sealed record RunGroupRequest
{
    public string Kind { get; init; } = RunGroupKinds.Seeds;
    public string? Name { get; init; }
    public System.Text.Json.JsonElement? Spec { get; init; }
    public IReadOnlyList<int>? Seeds { get; init; }
    public int? SeedCount { get; init; }
    public SweepDefinition? Sweep { get; init; }
}
