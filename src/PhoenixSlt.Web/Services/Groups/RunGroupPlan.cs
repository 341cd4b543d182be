using System.Globalization;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Services.Groups;

/// One run of a group: its setting's label (without the seed), its seed and its complete spec.
public sealed record RunGroupMember(string Label, int Seed, RunSpec Spec);

/// The member runs of a group, in queue order (setting by setting, each with every seed), or why there are none.
public static class RunGroupPlan
{
    /// The ablation's arms: the slt phase from scratch and the full pipeline; both train slt with the base spec's
    /// budget (epochs / max_steps), so they compare at equal slt budget.
    public const string ScratchArm = "slt from scratch";
    public const string PipelineArm = "pipeline (text → vlp → slt)";

    /// Seeds of a request: the list, else <paramref name="count"/> seeds from the spec's seed up, else the spec's seed.
    public static (IReadOnlyList<int> Seeds, string? Problem) Seeds(IReadOnlyList<int>? seeds, int? count, int specSeed)
    {
        if (seeds is { Count: > 0 })
        {
            if (seeds.Distinct().Count() != seeds.Count)
                return ([], "The seeds repeat: a seed twice is the same run twice.");
            return ([.. seeds], null);
        }
        if (count is int n)
        {
            if (n is < 1 or > SweepPlan.MaxRuns)
                return ([], $"The number of seeds must be between 1 and {SweepPlan.MaxRuns} (got {n}).");
            if ((long)specSeed + n - 1 > int.MaxValue)
                return ([], $"Seeds {specSeed}..{(long)specSeed + n - 1} exceed the largest seed {int.MaxValue}.");
            return ([.. Enumerable.Range(0, n).Select(i => specSeed + i)], null);
        }
        return ([specSeed], null);
    }

    public static (IReadOnlyList<RunGroupMember> Members, IReadOnlyList<string> Problems) Members(string kind, RunSpec baseSpec, RunGroupDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(baseSpec);
        ArgumentNullException.ThrowIfNull(definition);
        if (!RunGroupKinds.IsKnown(kind))
            return ([], [$"Group kind '{kind}' is not known; use one of {string.Join(", ", RunGroupKinds.All)}."]);
        if (definition.Seeds.Count == 0)
            return ([], ["A group needs at least one seed."]);
        var settings = new List<(string Label, RunSpec Spec)>();
        switch (kind)
        {
            case RunGroupKinds.Seeds:
                settings.Add(("", baseSpec));
                break;
            case RunGroupKinds.Ablation:
                settings.Add((ScratchArm, baseSpec with { Phase = TrainingPhaseNames.Slt, Init = null }));
                settings.Add((PipelineArm, baseSpec with { Phase = TrainingPhaseNames.Pipeline, Init = null }));
                break;
            case RunGroupKinds.Sweep:
                if (definition.Sweep is null)
                    return ([], ["A sweep group needs a sweep definition."]);
                var (points, problems) = SweepPlan.Expand(definition.Sweep);
                if (problems.Count > 0)
                    return ([], problems);
                foreach (var point in points)
                {
                    var spec = baseSpec with { };
                    foreach (var (name, text) in point.Settings)
                    {
                        var field = RunSpecFields.Get(name);
                        field.TryParse(text, out object? value, out _); // checked by SweepPlan.Expand
                        field.Set(spec, value);
                    }
                    settings.Add((point.Label, spec));
                }
                break;
        }
        long total = (long)settings.Count * definition.Seeds.Count;
        if (total > SweepPlan.MaxRuns)
            return ([], [$"The group would queue {total} runs ({settings.Count} settings × {definition.Seeds.Count} seeds); at most {SweepPlan.MaxRuns}."]);
        return ([.. settings.SelectMany(s => definition.Seeds.Select(seed => new RunGroupMember(s.Label, seed, s.Spec with { Seed = seed })))], []);
    }

    /// The member's run name: "GROUP · LABEL · seed S" (the label only when there is one), shortened in the middle
    /// to the spec's name limit (the seed stays visible).
    public static string RunName(string groupName, RunGroupMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        string seed = " · seed " + member.Seed.ToString(CultureInfo.InvariantCulture);
        string head = member.Label.Length == 0 ? groupName : $"{groupName} · {member.Label}";
        int room = MaxNameLength - seed.Length;
        return (head.Length <= room ? head : head[..(room - 1)] + "…") + seed;
    }

    /// The spec's limit of a run name (RunSpec.Name).
    public static int MaxNameLength => RunSpecFields.FindByProperty(nameof(RunSpec.Name))!.MaxLength;
}
