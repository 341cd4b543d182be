using System.Text;
using System.Text.Json;

namespace PhoenixSlt.Training.Specs;

/// <see cref="RunSpec"/> as JSON with the snake_case field names (the names `run_started` uses): the file of
/// <c>train --spec</c>, the body of POST /api/runs and the spec.json of a portal run. Reading starts from the
/// defaults and reports every unknown field and every value of the wrong kind, by field.
public static class RunSpecJson
{
    /// The file a run's resolved spec is written to in its folder.
    public const string FileName = "spec.json";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// Every field, in table order (nulls included, so the file shows every setting).
    public static string Write(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            foreach (var field in RunSpecFields.All)
            {
                writer.WritePropertyName(field.Name);
                switch (field.Get(spec))
                {
                    case null: writer.WriteNullValue(); break;
                    case string text: writer.WriteStringValue(text); break;
                    case bool b: writer.WriteBooleanValue(b); break;
                    case int i: writer.WriteNumberValue(i); break;
                    case long l: writer.WriteNumberValue(l); break;
                    case double d: writer.WriteNumberValue(d); break;
                    case var other: throw new InvalidOperationException($"run-spec field {field.Name} has an unsupported type {other.GetType().Name}");
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// Reads <paramref name="json"/> over <paramref name="start"/> (the defaults when null); the problems say which
    /// fields could not be read.
    public static (RunSpec Spec, SpecProblems Problems) Read(string json, RunSpec? start = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var spec = (start ?? new RunSpec()) with { };
        var problems = new SpecProblems.Builder();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            problems.Add("spec", $"The run spec is not valid JSON: {e.Message}");
            return (spec, problems.Build());
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add("spec", $"The run spec must be a JSON object of settings, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
                return (spec, problems.Build());
            }
            foreach (var property in document.RootElement.EnumerateObject())
                problems.Add(property.Name, ReadProperty(spec, property));
        }
        return (spec, problems.Build());
    }

    /// <see cref="Read"/> of a file; a missing or unreadable file is a problem of "spec".
    public static (RunSpec Spec, SpecProblems Problems) ReadFile(string path, RunSpec? start = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problems = new SpecProblems.Builder();
            problems.Add("spec", $"The run spec {path} cannot be read: {e.Message}");
            return ((start ?? new RunSpec()) with { }, problems.Build());
        }
        return Read(json, start);
    }

    /// Writes <paramref name="spec"/> to <paramref name="folder"/>/spec.json (atomically: a temporary file, then a rename).
    public static string Save(RunSpec spec, string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName), temporary = path + ".tmp";
        File.WriteAllText(temporary, Write(spec));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static string? ReadProperty(RunSpec spec, JsonProperty property)
    {
        if (RunSpecFields.Find(property.Name) is not { } field)
            return $"{property.Name} is not a setting; known settings: {string.Join(", ", RunSpecFields.All.Select(f => f.Name))}.";
        string? text = property.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => property.Value.GetString(),
            JsonValueKind.Number => property.Value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False when field.IsSwitch => property.Value.GetRawText(),
            _ => "\u0000",
        };
        if (text == "\u0000")
            return $"{field.Name} is {property.Value.ValueKind.ToString().ToLowerInvariant()} in the JSON; {field.Requirement()}.";
        if (text is null)
        {
            if (!field.IsOptional)
                return $"{field.Name} is null; {field.Requirement()}.";
            field.Set(spec, null);
            return null;
        }
        if ((field.ValueType == typeof(string) || field.IsSwitch) && property.Value.ValueKind == JsonValueKind.Number)
            return $"{field.Name} is a number in the JSON; {field.Requirement()}.";
        if (!field.TryParse(text, out object? value, out string? error))
            return error;
        field.Set(spec, value);
        return null;
    }
}
