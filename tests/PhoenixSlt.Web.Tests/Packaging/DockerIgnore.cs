using System.Text;
using System.Text.RegularExpressions;

namespace PhoenixSlt.Web.Tests.Packaging;

/// .dockerignore rules as Docker applies them: one pattern a line, '#' comments, a leading '/' ignored,
/// '*' and '?' within one path element, '**' across elements, '!' re-includes, the last matching rule wins,
/// and a rule matching a folder applies to everything below it.
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(IReadOnlyList<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Load(string path) => Parse(File.ReadAllLines(path));

    public static DockerIgnore Parse(IEnumerable<string> lines)
    {
        var rules = new List<(Regex, bool)>();
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            bool exclude = !line.StartsWith('!');
            string pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            if (pattern.Length > 0)
                rules.Add((ToRegex(pattern), exclude));
        }
        return new DockerIgnore(rules);
    }

    /// Whether <paramref name="relativePath"/> (forward slashes, relative to the context) stays out of the
    /// build context.
    public bool IsExcluded(string relativePath)
    {
        string path = relativePath.Replace('\\', '/').Trim('/');
        bool excluded = false;
        foreach ((Regex pattern, bool exclude) in _rules)
            if (SelfOrParents(path).Any(pattern.IsMatch))
                excluded = exclude;
        return excluded;
    }

    private static IEnumerable<string> SelfOrParents(string path)
    {
        for (string? p = path; !string.IsNullOrEmpty(p); p = Parent(p))
            yield return p;
    }

    private static string? Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? null : path[..slash];
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                bool slashFollows = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slashFollows ? "(.*/)?" : ".*");
                i += slashFollows ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
