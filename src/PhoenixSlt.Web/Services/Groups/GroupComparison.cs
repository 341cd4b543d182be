using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Groups;

/// One column of a group comparison: a setting of a group (its seeds).
public sealed record GroupColumn(int GroupId, string GroupName, string Kind, string Label, IReadOnlyList<int> RunIds);

/// One metric across the columns: mean ± sd per column (null when none of its runs has it) and the best columns
/// by mean (higher is better unless <see cref="MetricNames.LowerIsBetter"/>; empty unless two columns have it).
public sealed record GroupMetricRow(string Name, bool HigherIsBetter, IReadOnlyList<MeanSd?> Values, IReadOnlyList<int> Best);

/// Groups side by side, as runs are compared: the base settings that differ between the groups, and every
/// setting of every group as a column with the mean ± sd of the metrics at its runs' best checkpoints.
public sealed record GroupComparison(IReadOnlyList<RunGroupInfo> Groups, IReadOnlyList<SettingRow> Settings, IReadOnlyList<GroupColumn> Columns, IReadOnlyList<GroupMetricRow> Metrics)
{
    /// Groups that can be compared at once.
    public const int MaxGroups = 10;

    public static GroupComparison Of(IReadOnlyList<RunGroupInfo> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var settings = RunSpecFields.All.Where(f => !RunComparison.PerRunFields.Contains(f.Name) && f.Name != "seed").Select(field =>
        {
            var values = groups.Select(g => RunComparison.ValueText(field, field.Get(g.BaseSpec))).ToList();
            return new SettingRow(field.Name, field.Label, field.Section, values, values.Distinct(StringComparer.Ordinal).Count() > 1);
        }).ToList();
        var columns = groups.SelectMany(g => g.Settings.Select(s => (Group: g, Setting: s))).ToList();
        var names = columns.SelectMany(c => c.Setting.Metrics.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(n => RunComparison.MetricOrder.ToList().IndexOf(n) is var i and >= 0 ? i : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal);
        var metrics = names.Select(name =>
        {
            bool higher = !MetricNames.LowerIsBetter(name);
            var values = columns.Select(c => c.Setting.Metrics.GetValueOrDefault(name)).ToList();
            return new GroupMetricRow(name, higher, values, RunComparison.BestIndexes([.. values.Select(v => v?.Mean)], higher));
        }).ToList();
        return new GroupComparison(groups, settings,
            [.. columns.Select(c => new GroupColumn(c.Group.Id, c.Group.Name, c.Group.Kind, c.Setting.Label, c.Setting.RunIds))], metrics);
    }

    /// The distinct group ids of "1,2" in their order, or the problem (<see cref="IdList.ForComparison"/>).
    public static (IReadOnlyList<int> Ids, string? Problem) ParseIds(string? text) => IdList.ForComparison(text, "group", MaxGroups);

    /// The comparison of the groups <paramref name="text"/>, or the problem (bad ids, groups that do not exist).
    public static async Task<(GroupComparison? Comparison, string? Problem, bool NotFound)> LoadAsync(RunGroupService service, string? text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var (ids, problem) = ParseIds(text);
        if (problem is not null)
            return (null, problem, false);
        var groups = new List<RunGroupInfo>();
        var missing = new List<int>();
        foreach (int id in ids)
        {
            if (await service.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } group)
                groups.Add(group);
            else
                missing.Add(id);
        }
        return missing.Count > 0
            ? (null, IdList.Missing("group", missing), true)
            : (Of(groups), null, false);
    }

    /// The address of the comparison page of <paramref name="groupIds"/>.
    public static string PageHref(IEnumerable<int> groupIds) => "groups/compare?ids=" + string.Join(',', groupIds);
}
