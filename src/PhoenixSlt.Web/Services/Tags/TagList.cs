using System.Text.RegularExpressions;

namespace PhoenixSlt.Web.Services.Tags;

/// The one rule for tags of runs and checkpoints: 1–40 characters of letters, digits and - _ . : / +, at most
/// <see cref="MaxTags"/> per item, compared case-insensitively, kept in the case first given. Stored in one text
/// column as ",a,b," so that a tag filter is one LIKE '%,tag,%' (<see cref="LikePattern"/>).
public static partial class TagList
{
    public const int MaxTags = 20;
    public const int MaxLength = 40;

    /// The tags as stored: "" for none, else ",a,b,".
    public static string Store(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var list = tags.ToList();
        return list.Count == 0 ? "" : "," + string.Join(',', list) + ",";
    }

    /// The tags of a stored column, in order.
    public static IReadOnlyList<string> Parse(string? stored)
        => string.IsNullOrEmpty(stored) ? [] : stored.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// The tags of <paramref name="input"/> trimmed, without duplicates (case-insensitive, first kept), or the problem
    /// that makes them invalid.
    public static (IReadOnlyList<string> Tags, string? Problem) Normalize(IEnumerable<string>? input)
    {
        var tags = new List<string>();
        foreach (string raw in input ?? [])
        {
            string tag = (raw ?? "").Trim();
            if (tag.Length == 0)
                continue;
            if (tag.Length > MaxLength)
                return ([], $"Tag '{tag[..MaxLength]}…' is longer than {MaxLength} characters.");
            if (!Allowed().IsMatch(tag))
                return ([], $"Tag '{tag}' may only contain letters, digits and - _ . : / +.");
            if (!tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
                tags.Add(tag);
        }
        return tags.Count > MaxTags ? ([], $"At most {MaxTags} tags (got {tags.Count}).") : (tags, null);
    }

    /// The LIKE pattern of items tagged <paramref name="tag"/> (Sqlite's LIKE is case-insensitive for ASCII), or null
    /// when the tag is not a valid tag (nothing can carry it).
    public static string? LikePattern(string tag)
    {
        var (tags, problem) = Normalize([tag]);
        return problem is null && tags.Count == 1 ? $"%,{tags[0]},%" : null;
    }

    [GeneratedRegex(@"^[\p{L}\p{Nd}\-_.:/+]+$")]
    private static partial Regex Allowed();
}
