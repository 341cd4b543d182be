using System.Globalization;
using System.Text;

namespace PhoenixSlt.Core.Data;

/// Reads PHOENIX-2014-T annotation files: the official pipe-separated corpus CSV
/// (name|video|start|end|speaker|orth|translation) and plain CSV with name,translation(,orth,speaker).
/// <para>
/// The separator is chosen from the header line: a header containing '|' is the official format (fields are
/// split on '|', no quoting, as in the release); otherwise the file is comma-separated with RFC-4180 quoting
/// (fields in double quotes may hold commas, line breaks and doubled quotes). Column names are matched
/// case-insensitively in any order; only <c>name</c> and <c>translation</c> are required. Blank lines are
/// skipped. Line numbers in problems are 1-based physical lines of the file.
/// </para>
public static partial class PhoenixCorpus
{
    public const char OfficialSeparator = '|';
    public const char PlainSeparator = ',';

    /// Column order of the official release.
    public static readonly IReadOnlyList<string> OfficialColumns = ["name", "video", "start", "end", "speaker", "orth", "translation"];

    /// Columns a file must have, in either format.
    public static readonly IReadOnlyList<string> RequiredColumns = ["name", "translation"];

    /// Plain CSV file name of a split: {split}.csv
    public static string PlainFileName(string split) => $"{split}.csv";

    /// The files <see cref="Load"/> looks for, in order of preference: the official corpus CSV, then {split}.csv.
    public static IReadOnlyList<string> CandidateFiles(string annotationsDir, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        return [Path.Combine(annotationsDir, DatasetLayout.CorpusFileName(split)), Path.Combine(annotationsDir, PlainFileName(split))];
    }

    /// The first existing candidate file of a split, or null.
    public static string? FindFile(string annotationsDir, string split)
        => CandidateFiles(annotationsDir, split).FirstOrDefault(File.Exists);

    /// Loads ANNOTATIONS_DIR/PHOENIX-2014-T.{split}.corpus.csv (or the plain ANNOTATIONS_DIR/{split}.csv).
    /// Throws <see cref="PhoenixDataException"/> naming the file and the problem.
    public static IReadOnlyList<PhoenixSample> Load(string annotationsDir, string split)
    {
        string path = FindFile(annotationsDir, split) ?? throw MissingSplitProblem(annotationsDir, split).ToException();
        return LoadFile(path);
    }

    /// The problem reported when no annotation file of a split exists.
    public static DataProblem MissingSplitProblem(string annotationsDir, string split)
    {
        string tried = string.Join(" or ", CandidateFiles(annotationsDir, split).Select(Path.GetFileName));
        string where = Directory.Exists(annotationsDir) ? "" : " (the folder does not exist)";
        return new DataProblem(annotationsDir,
            $"no annotation file for split '{split}'{where}: tried {tried}. Put the official PHOENIX-2014-T corpus CSV " +
            "or a plain CSV with 'name' and 'translation' columns there.");
    }

    /// Loads one annotation file (either format). Throws <see cref="PhoenixDataException"/> on the first problem,
    /// saying how many more there are.
    public static IReadOnlyList<PhoenixSample> LoadFile(string path)
    {
        CorpusReadResult result = ReadFile(path);
        if (result.Problems.Count == 0)
            return result.Samples;
        DataProblem first = result.Problems[0];
        string more = result.Problems.Count == 1 ? ""
            : $" (and {result.Problems.Count - 1} more problem(s) in this file; `phoenix-slt data check` lists them all)";
        throw new PhoenixDataException(first.File, first.Describe() + more);
    }

    /// Reads one annotation file and collects every problem instead of stopping at the first.
    /// Rows with a problem are left out of <see cref="CorpusReadResult.Samples"/>.
    public static CorpusReadResult ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            return CorpusReadResult.Failed(path, new DataProblem(path, "file not found"));
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return CorpusReadResult.Failed(path, new DataProblem(path, $"cannot be read: {ex.Message}"));
        }
        return Parse(text, path);
    }

    /// Parses annotation text; <paramref name="file"/> names the source in problems.
    public static CorpusReadResult Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<DataProblem>();
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        if (string.IsNullOrWhiteSpace(text))
            return CorpusReadResult.Failed(file, new DataProblem(file,
                "file is empty; expected a header line such as 'name|video|start|end|speaker|orth|translation' or 'name,translation'"));

        char separator = HeaderLine(text).Contains(OfficialSeparator) ? OfficialSeparator : PlainSeparator;
        var records = separator == OfficialSeparator ? SplitPipeRecords(text) : SplitCsvRecords(text, file, problems);
        using var enumerator = records.GetEnumerator();
        if (!enumerator.MoveNext())
            return CorpusReadResult.Failed(file, new DataProblem(file, "file has no header line"));

        CsvRecord header = enumerator.Current;
        ColumnMap? columns = ColumnMap.FromHeader(header, separator, file, problems);
        if (columns is null)
            return new CorpusReadResult(file, [], problems);

        var samples = new List<PhoenixSample>();
        var firstLineOfName = new Dictionary<string, int>(StringComparer.Ordinal);
        while (enumerator.MoveNext())
        {
            CsvRecord record = enumerator.Current;
            PhoenixSample? sample = columns.ToSample(record, file, problems);
            if (sample is null)
                continue;
            if (firstLineOfName.TryGetValue(sample.Name, out int firstLine))
            {
                problems.Add(new DataProblem(file, $"duplicate name '{sample.Name}' (first seen on line {firstLine}); names must be unique", record.Line));
                continue;
            }
            firstLineOfName[sample.Name] = record.Line;
            samples.Add(sample);
        }
        if (samples.Count == 0 && problems.Count == 0)
            problems.Add(new DataProblem(file, "has a header but no samples"));
        return new CorpusReadResult(file, samples, problems);
    }

    /// Writes the official pipe-separated format (header name|video|start|end|speaker|orth|translation, UTF-8, '\n').
    public static void WriteOfficial(string path, IEnumerable<PhoenixSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sb = new StringBuilder();
        sb.Append(string.Join(OfficialSeparator, OfficialColumns)).Append('\n');
        foreach (PhoenixSample s in samples)
        {
            string[] fields = [s.Name, s.Video, s.Start.ToString(CultureInfo.InvariantCulture), s.End.ToString(CultureInfo.InvariantCulture), s.Speaker, s.Orth, s.Translation];
            foreach (string f in fields)
                if (f.Contains(OfficialSeparator) || f.Contains('\n') || f.Contains('\r'))
                    throw new ArgumentException($"sample '{s.Name}': the official format cannot hold '|' or line breaks in a field ('{f}')", nameof(samples));
            sb.Append(string.Join(OfficialSeparator, fields)).Append('\n');
        }
        WriteText(path, sb.ToString());
    }

    /// Writes the plain CSV format (header name,speaker,orth,translation; RFC-4180 quoting where needed).
    public static void WritePlain(string path, IEnumerable<PhoenixSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sb = new StringBuilder("name,speaker,orth,translation\n");
        foreach (PhoenixSample s in samples)
            sb.Append(string.Join(PlainSeparator, new[] { s.Name, s.Speaker, s.Orth, s.Translation }.Select(QuoteCsv))).Append('\n');
        WriteText(path, sb.ToString());
    }

    /// RFC-4180 field quoting: quoted (with doubled quotes) only when the field holds a comma, quote or line break.
    public static string QuoteCsv(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private static void WriteText(string path, string text)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// The first non-blank line (without reading past it).
    private static ReadOnlySpan<char> HeaderLine(string text)
    {
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf('\n');
            ReadOnlySpan<char> line = end < 0 ? rest : rest[..end];
            if (!line.IsWhiteSpace())
                return line;
            rest = end < 0 ? [] : rest[(end + 1)..];
        }
        return [];
    }
}

/// The samples read from one annotation file and every problem found in it.
public sealed record CorpusReadResult(string File, IReadOnlyList<PhoenixSample> Samples, IReadOnlyList<DataProblem> Problems)
{
    public bool Ok => Problems.Count == 0;

    internal static CorpusReadResult Failed(string file, DataProblem problem) => new(file, [], [problem]);
}
