using System.Globalization;

namespace PhoenixSlt.Web.Services;

/// The one reading of an id list such as "1,2,3" (?ids= of the run and group comparisons, ?evaluations= of Compare):
/// distinct positive whole numbers in their order.
public static class IdList
{
    /// The ids, or the first entry that is not a positive whole number (then no ids).
    public static (IReadOnlyList<int> Ids, string? Bad) Parse(string? text)
    {
        var ids = new List<int>();
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id < 1)
                return ([], part);
            if (!ids.Contains(id))
                ids.Add(id);
        }
        return (ids, null);
    }

    /// The ids of a comparison of at least two and at most <paramref name="max"/> items called
    /// <paramref name="noun"/> ("run", "group"), or the problem.
    public static (IReadOnlyList<int> Ids, string? Problem) ForComparison(string? text, string noun, int max)
    {
        var (ids, bad) = Parse(text);
        if (bad is not null)
            return ([], $"'{bad}' is not a {noun} id; give the ids as ids=1,2,3.");
        if (ids.Count < 2)
            return ([], $"Compare needs at least two {noun}s (got {ids.Count}); give them as ids=1,2.");
        if (ids.Count > max)
            return ([], $"At most {max} {noun}s can be compared at once (got {ids.Count}).");
        return (ids, null);
    }

    /// "Run 3 does not exist." / "Runs 3, 4 do not exist." for <paramref name="noun"/> "run".
    public static string Missing(string noun, IReadOnlyCollection<int> missing)
    {
        ArgumentNullException.ThrowIfNull(noun);
        ArgumentNullException.ThrowIfNull(missing);
        string name = char.ToUpperInvariant(noun[0]) + noun[1..];
        return missing.Count == 1 ? $"{name} {missing.First()} does not exist." : $"{name}s {string.Join(", ", missing)} do not exist.";
    }
}
