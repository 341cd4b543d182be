using System.Globalization;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Services.Groups;

/// One sweep point: field name → value text (parsed by the field like a form entry).
public sealed record SweepPoint(IReadOnlyList<KeyValuePair<string, string>> Settings)
{
    /// "lr_encoder=0.001, dropout=0.1" (the member's group label).
    public string Label => string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value}"));
}

/// Expands a <see cref="SweepDefinition"/> into its points, or says why it cannot.
public static class SweepPlan
{
    /// Runs one group may hold (points × seeds), so that a typo cannot queue thousands of runs.
    public const int MaxRuns = 64;

    /// Fields that cannot be swept: where the data, the output and the processes come from.
    public static IReadOnlyList<string> Unsweepable { get; } = ["phase", "data", "out", "init", "mbart", "resume", "device", "world_size", "seed", "name", "events"];

    public static (IReadOnlyList<SweepPoint> Points, IReadOnlyList<string> Problems) Expand(SweepDefinition sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var problems = new List<string>();
        if (!SweepModes.All.Contains(sweep.Mode))
            problems.Add($"Sweep mode '{sweep.Mode}' is not known; use {string.Join(" or ", SweepModes.All)}.");
        if (sweep.Parameters.Count == 0)
            problems.Add("A sweep needs at least one parameter.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in sweep.Parameters)
        {
            var field = RunSpecFields.Find(p.Field?.Trim() ?? "");
            if (field is null)
                problems.Add($"Sweep parameter '{p.Field}' is not a run-spec setting.");
            else if (Unsweepable.Contains(field.Name))
                problems.Add($"{field.Name} cannot be swept (seeds are the group's seeds).");
            else if (!seen.Add(field.Name))
                problems.Add($"{field.Name} is swept twice.");
            else if (p.Values is { Count: > 0 })
            {
                foreach (string value in p.Values)
                    if ((field.TryParse(value, out object? parsed, out string? error) ? field.Check(parsed) : error) is string problem)
                        problems.Add(problem);
            }
            else if (p.Min is double min && p.Max is double max)
            {
                if (sweep.Mode != SweepModes.Random)
                    problems.Add($"{field.Name}: a range needs random search; a grid takes a list of values.");
                else if (!field.IsNumber)
                    problems.Add($"{field.Name} is not a number; give a list of values.");
                else if (!(min <= max) || double.IsInfinity(min) || double.IsInfinity(max))
                    problems.Add($"{field.Name}: the range {Num(min)}..{Num(max)} is empty.");
                else if (p.Log && min <= 0)
                    problems.Add($"{field.Name}: a log range must be above 0 (got {Num(min)}).");
                else
                {
                    foreach (double end in new[] { min, max })
                        if (field.TryParse(Format(field, end), out object? parsed, out _) && field.Check(parsed) is string check)
                            problems.Add(check);
                }
            }
            else
                problems.Add($"{field.Name}: give a list of values or (random search) a min and max.");
        }
        if (sweep.Mode == SweepModes.Random && sweep.Count is not (>= 1 and <= MaxRuns))
            problems.Add($"Random search needs a count of points between 1 and {MaxRuns} (got {sweep.Count?.ToString(CultureInfo.InvariantCulture) ?? "none"}).");
        if (problems.Count > 0)
            return ([], problems);
        if (sweep.Mode == SweepModes.Grid)
        {
            long size = sweep.Parameters.Aggregate(1L, (n, p) => n * p.Values!.Count);
            if (size > MaxRuns)
                return ([], [$"The grid has {size} points; at most {MaxRuns}."]);
            return (Grid(sweep.Parameters), []);
        }
        return (RandomPoints(sweep), []);
    }

    private static List<SweepPoint> Grid(IReadOnlyList<SweepParameter> parameters)
    {
        IEnumerable<List<KeyValuePair<string, string>>> combos = [[]];
        foreach (var p in parameters)
        {
            string name = RunSpecFields.Get(p.Field.Trim()).Name;
            combos = combos.SelectMany(c => p.Values!.Select(v => new List<KeyValuePair<string, string>>(c) { new(name, v.Trim()) }));
        }
        return [.. combos.Select(c => new SweepPoint(c))];
    }

    private static List<SweepPoint> RandomPoints(SweepDefinition sweep)
    {
        var random = new Random(sweep.DrawSeed);
        var points = new List<SweepPoint>();
        for (int i = 0; i < sweep.Count; i++)
        {
            var settings = new List<KeyValuePair<string, string>>();
            foreach (var p in sweep.Parameters)
            {
                var field = RunSpecFields.Get(p.Field.Trim());
                string value = p.Values is { Count: > 0 } values
                    ? values[random.Next(values.Count)].Trim()
                    : Format(field, Draw(random, p.Min!.Value, p.Max!.Value, p.Log));
                settings.Add(new(field.Name, value));
            }
            points.Add(new SweepPoint(settings));
        }
        return points;
    }

    /// A uniform (or log-uniform) draw from [min, max].
    public static double Draw(Random random, double min, double max, bool log)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble();
        return log ? Math.Exp(Math.Log(min) + u * (Math.Log(max) - Math.Log(min))) : min + u * (max - min);
    }

    /// A drawn value as the field's text: whole numbers rounded, others to 3 significant digits.
    private static string Format(SpecField field, double value)
        => field.ValueType == typeof(double) ? value.ToString("G3", CultureInfo.InvariantCulture) : Math.Round(value).ToString(CultureInfo.InvariantCulture);

    private static string Num(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
