using System.Text.Json;
using System.Text.RegularExpressions;

namespace PhoenixSlt.Web.Tests.Packaging;

/// One Dockerfile instruction: its keyword (upper case) and the text after it, continuation lines joined.
public sealed record DockerInstruction(string Keyword, string Arguments, int Line);

/// A COPY instruction: the stage or image named by --from (null: the build context), sources and destination.
public sealed record DockerCopy(string? From, IReadOnlyList<string> Sources, string Destination);

/// One build stage: `FROM image [AS name]` and the instructions up to the next FROM.
public sealed class DockerStage(string image, string? name, IReadOnlyList<DockerInstruction> instructions)
{
    /// The base: an image reference (global ARGs expanded) or the name of an earlier stage.
    public string Image { get; } = image;

    public string? Name { get; } = name;

    public IReadOnlyList<DockerInstruction> Instructions { get; } = instructions;

    public IEnumerable<string> All(string keyword)
        => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    public string? Last(string keyword) => All(keyword).LastOrDefault();

    /// The variables set by the stage's ENV instructions (later ones win). Only the `KEY=value` form is read.
    public IReadOnlyDictionary<string, string> Env()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string arguments in All("ENV"))
        {
            foreach (string token in DockerfileModel.SplitWords(arguments))
            {
                int eq = token.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                    throw new FormatException($"ENV '{arguments}': only the KEY=value form is understood");
                env[token[..eq]] = token[(eq + 1)..];
            }
        }
        return env;
    }

    public IReadOnlyList<DockerCopy> Copies() => All("COPY").Select(ParseCopy).ToList();

    /// The paths of the stage's VOLUME instructions (JSON array or space-separated form).
    public IReadOnlyList<string> Volumes()
        => All("VOLUME").SelectMany(v => v.TrimStart().StartsWith('[')
            ? JsonSerializer.Deserialize<string[]>(v) ?? []
            : DockerfileModel.SplitWords(v)).ToList();

    /// The ports of the stage's EXPOSE instructions (without /tcp).
    public IReadOnlyList<int> ExposedPorts()
        => All("EXPOSE").SelectMany(DockerfileModel.SplitWords)
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// The words of the stage's apt-get install commands (packages and options).
    public IReadOnlyList<string> AptInstalled()
        => All("RUN").SelectMany(run => Regex.Matches(run, @"apt-get\s+install\s+([^&|;)]*)").Select(m => m.Groups[1].Value))
            .SelectMany(DockerfileModel.SplitWords).Where(w => !w.StartsWith('-')).ToList();

    private static DockerCopy ParseCopy(string arguments)
    {
        string? from = null;
        var paths = new List<string>();
        foreach (string word in DockerfileModel.SplitWords(arguments))
        {
            if (word.StartsWith("--from=", StringComparison.Ordinal))
                from = word["--from=".Length..];
            else if (!word.StartsWith("--", StringComparison.Ordinal))
                paths.Add(word);
        }
        if (paths.Count < 2)
            throw new FormatException($"COPY '{arguments}' needs at least one source and a destination");
        return new DockerCopy(from, paths[..^1], paths[^1]);
    }
}

/// The parts of a Dockerfile these tests read: global ARGs, stages, instructions. Parser directives and comments
/// are skipped, lines ending in a backslash are joined with the next, ${VAR} in FROM is expanded from the
/// global ARGs.
public sealed class DockerfileModel
{
    private DockerfileModel(IReadOnlyDictionary<string, string> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public static DockerfileModel Load(string path) => Parse(File.ReadAllText(path));

    public static DockerfileModel Parse(string text)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        string? image = null, name = null;
        var instructions = new List<DockerInstruction>();
        foreach (DockerInstruction instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (image is not null)
                    stages.Add(new DockerStage(image, name, instructions));
                (image, name) = ParseFrom(Expand(instruction.Arguments, args));
                instructions = [];
            }
            else if (image is null)
            {
                if (instruction.Keyword != "ARG")
                    throw new FormatException($"line {instruction.Line}: only ARG may come before the first FROM");
                string[] parts = instruction.Arguments.Trim().Split('=', 2);
                args[parts[0]] = parts.Length > 1 ? parts[1] : "";
            }
            else
            {
                instructions.Add(instruction);
            }
        }
        if (image is not null)
            stages.Add(new DockerStage(image, name, instructions));
        return new DockerfileModel(args, stages);
    }

    /// The stage called <paramref name="name"/> (case-insensitive, as Docker compares stage names).
    public DockerStage? Stage(string name)
        => Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public DockerStage RequiredStage(string name)
        => Stage(name) ?? throw new InvalidOperationException($"the Dockerfile has no stage '{name}'");

    /// The image at the root of a stage's FROM chain (following FROMs that name earlier stages).
    public string RootImage(DockerStage stage)
    {
        var seen = new HashSet<DockerStage>();
        while (Stage(stage.Image) is { } parent && seen.Add(stage))
            stage = parent;
        return stage.Image;
    }

    /// The stages a stage depends on: its FROM chain and every stage named by a COPY --from, recursively.
    public IReadOnlyList<DockerStage> Dependencies(DockerStage stage)
    {
        var result = new List<DockerStage>();
        var pending = new Stack<DockerStage>([stage]);
        while (pending.TryPop(out DockerStage? current))
        {
            if (result.Contains(current))
                continue;
            result.Add(current);
            if (Stage(current.Image) is { } parent)
                pending.Push(parent);
            foreach (DockerCopy copy in current.Copies())
                if (copy.From is not null && Stage(copy.From) is { } source)
                    pending.Push(source);
        }
        return result;
    }

    /// Words split on white space; single or double quotes group words and are removed.
    public static IReadOnlyList<string> SplitWords(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        bool inWord = false;
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
                else
                    current.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(current.ToString());
        return words;
    }

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        var pending = new System.Text.StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            if (trimmed.StartsWith('#') || (pending.Length == 0 && trimmed.Length == 0))
                continue;
            if (pending.Length == 0)
                start = i + 1;
            bool continues = trimmed.EndsWith('\\');
            pending.Append(continues ? trimmed[..^1] : trimmed).Append(' ');
            if (continues)
                continue;
            string joined = pending.ToString().Trim();
            pending.Clear();
            if (joined.Length == 0)
                continue;
            int space = joined.IndexOfAny([' ', '\t']);
            yield return space < 0
                ? new DockerInstruction(joined.ToUpperInvariant(), "", start)
                : new DockerInstruction(joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim(), start);
        }
        if (pending.Length > 0)
            throw new FormatException("the Dockerfile ends inside a continued line");
    }

    private static (string Image, string? Name) ParseFrom(string arguments)
    {
        string[] words = SplitWords(arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
        return words.Length switch
        {
            1 => (words[0], null),
            3 when words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) => (words[0], words[2]),
            _ => throw new FormatException($"FROM '{arguments}': expected 'image [AS name]'"),
        };
    }

    private static string Expand(string text, IReadOnlyDictionary<string, string> args)
        => Regex.Replace(text, @"\$\{(\w+)\}|\$(\w+)", m =>
        {
            string key = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return args.TryGetValue(key, out string? value)
                ? value
                : throw new FormatException($"FROM uses ${{{key}}}, which no global ARG defines");
        });
}
