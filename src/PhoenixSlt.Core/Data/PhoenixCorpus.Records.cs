using System.Globalization;
using System.Text;

namespace PhoenixSlt.Core.Data;

/// One record of an annotation file: its 1-based starting line and its fields.
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

public static partial class PhoenixCorpus
{
    /// Official format: one record per non-blank line, fields split on '|' (no quoting in the release).
    internal static IEnumerable<CsvRecord> SplitPipeRecords(string text)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (!string.IsNullOrWhiteSpace(line))
                yield return new CsvRecord(i + 1, line.Split(OfficialSeparator));
        }
    }

    /// RFC-4180 comma-separated records: a field starting with '"' runs to the next lone '"' and may hold commas,
    /// line breaks and doubled quotes. Blank lines are skipped. Malformed quoting is reported to <paramref name="problems"/>.
    internal static IEnumerable<CsvRecord> SplitCsvRecords(string text, string file, List<DataProblem> problems)
    {
        int line = 1, pos = 0;
        while (pos < text.Length)
        {
            int recordLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool recordDone = false, malformed = false;
            while (!recordDone)
            {
                field.Clear();
                if (pos < text.Length && text[pos] == '"')
                {
                    int quoteLine = line;
                    pos++;
                    bool closed = false;
                    while (pos < text.Length)
                    {
                        char c = text[pos++];
                        if (c == '"')
                        {
                            if (pos < text.Length && text[pos] == '"') { field.Append('"'); pos++; continue; }
                            closed = true;
                            break;
                        }
                        if (c == '\n') line++;
                        field.Append(c);
                    }
                    if (!closed)
                    {
                        problems.Add(new DataProblem(file, "quoted field is never closed (a '\"' is missing)", quoteLine));
                        yield break;
                    }
                    if (pos < text.Length && text[pos] is not (',' or '\r' or '\n'))
                    {
                        problems.Add(new DataProblem(file, $"unexpected character '{text[pos]}' after a closing quote; quote the whole field and double inner quotes", line));
                        malformed = true;
                        while (pos < text.Length && text[pos] is not (',' or '\n')) pos++;
                    }
                }
                else
                {
                    while (pos < text.Length && text[pos] is not (',' or '\n'))
                        field.Append(text[pos++]);
                    if (field.Length > 0 && field[^1] == '\r')
                        field.Length--;
                }
                fields.Add(field.ToString());
                if (pos < text.Length && text[pos] == ',')
                {
                    pos++;
                    continue;
                }
                if (pos < text.Length && text[pos] == '\r') pos++;
                if (pos < text.Length && text[pos] == '\n') { pos++; line++; }
                recordDone = true;
            }
            bool blank = fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0]);
            if (!blank && !malformed)
                yield return new CsvRecord(recordLine, fields);
        }
    }

    /// Where each known column sits in a file's header.
    private sealed class ColumnMap
    {
        private readonly Dictionary<string, int> _index;
        private readonly int _fieldCount;
        private readonly char _separator;

        private ColumnMap(Dictionary<string, int> index, int fieldCount, char separator)
        {
            _index = index;
            _fieldCount = fieldCount;
            _separator = separator;
        }

        public static ColumnMap? FromHeader(CsvRecord header, char separator, string file, List<DataProblem> problems)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            string found = string.Join(separator, header.Fields);
            for (int i = 0; i < header.Fields.Count; i++)
            {
                string column = header.Fields[i].Trim().ToLowerInvariant();
                if (column.Length == 0)
                    continue;
                if (!index.TryAdd(column, i))
                {
                    problems.Add(new DataProblem(file, $"column '{column}' appears twice in the header '{found}'", header.Line));
                    return null;
                }
            }
            string[] missing = RequiredColumns.Where(c => !index.ContainsKey(c)).ToArray();
            if (missing.Length > 0)
            {
                string expected = separator == OfficialSeparator ? string.Join(OfficialSeparator, OfficialColumns) : "name,translation[,orth,speaker]";
                problems.Add(new DataProblem(file,
                    $"missing column {string.Join(" and ", missing.Select(m => $"'{m}'"))}; header found: '{found}'; expected {expected}", header.Line));
                return null;
            }
            return new ColumnMap(index, header.Fields.Count, separator);
        }

        public PhoenixSample? ToSample(CsvRecord record, string file, List<DataProblem> problems)
        {
            if (record.Fields.Count != _fieldCount)
            {
                string how = _separator == OfficialSeparator ? "separated by '|'" : "separated by ',' (quote fields that contain commas)";
                problems.Add(new DataProblem(file, $"expected {_fieldCount} fields {how} as in the header but found {record.Fields.Count}", record.Line));
                return null;
            }
            string name = Field(record, "name").Trim();
            string translation = Field(record, "translation").Trim();
            if (NameProblem(name) is string nameProblem)
            {
                problems.Add(new DataProblem(file, nameProblem, record.Line));
                return null;
            }
            if (translation.Length == 0)
            {
                problems.Add(new DataProblem(file, $"sample '{name}' has an empty translation", record.Line));
                return null;
            }
            int? start = IntField(record, "start", file, problems);
            int? end = IntField(record, "end", file, problems);
            if (start is null || end is null)
                return null;
            return new PhoenixSample(name, translation, Field(record, "orth").Trim(), Field(record, "speaker").Trim(),
                Field(record, "video").Trim(), start.Value, end.Value);
        }

        private string Field(CsvRecord record, string column)
            => _index.TryGetValue(column, out int i) ? record.Fields[i] : "";

        /// Integer column (start/end); -1 when the column is absent or empty.
        private int? IntField(CsvRecord record, string column, string file, List<DataProblem> problems)
        {
            string text = Field(record, column).Trim();
            if (text.Length == 0)
                return -1;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                return value;
            problems.Add(new DataProblem(file, $"{column} '{text}' is not an integer", record.Line));
            return null;
        }
    }

    /// Names become file names (NAME.npy): they must be non-empty and must not leave the feature folder.
    internal static string? NameProblem(string name)
    {
        if (name.Length == 0)
            return "empty name";
        if (name is "." or ".." || name.AsSpan().IndexOfAny("/\\\0") >= 0)
            return $"name '{name}' cannot be used as a file name (no '/', '\\', '.' or '..')";
        return null;
    }
}
