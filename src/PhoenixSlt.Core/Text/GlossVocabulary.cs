using System.Text.Json;

namespace PhoenixSlt.Core.Text;

/// The glosses of a corpus (the `orth` column, space-separated) as CTC classes: 0 is the CTC blank, 1 an unknown
/// gloss, then every gloss of the training split in ordinal order. Saved as gloss_vocab.json in a checkpoint folder.
public sealed class GlossVocabulary
{
    public const string FileName = "gloss_vocab.json";
    public const int BlankId = 0;
    public const int UnknownId = 1;
    public const string Blank = "<blank>";
    public const string Unknown = "<unk>";

    private readonly string[] _glosses;
    private readonly Dictionary<string, int> _ids;

    private GlossVocabulary(string[] glosses)
    {
        _glosses = glosses;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < glosses.Length; i++)
            _ids.TryAdd(glosses[i], i);
    }

    /// Classes, blank and unknown included.
    public int Size => _glosses.Length;

    /// The glosses of one `orth` value.
    public static string[] Split(string? orth) => (orth ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// The vocabulary of <paramref name="orths"/> (a training split's gloss sequences).
    public static GlossVocabulary Build(IEnumerable<string> orths)
    {
        ArgumentNullException.ThrowIfNull(orths);
        var glosses = orths.SelectMany(Split).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new GlossVocabulary([Blank, Unknown, .. glosses]);
    }

    /// Class ids of the glosses of <paramref name="orth"/>; unknown glosses map to <see cref="UnknownId"/>.
    public int[] Encode(string? orth) => [.. Split(orth).Select(g => _ids.TryGetValue(g, out int id) ? id : UnknownId)];

    /// The glosses of class ids, space-separated (the blank is skipped).
    public string Decode(IEnumerable<int> ids)
        => string.Join(' ', ids.Where(id => id != BlankId && id >= 0 && id < _glosses.Length).Select(id => _glosses[id]));

    public void Save(string folder)
        => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(_glosses));

    /// The vocabulary saved in <paramref name="folder"/>, or null when it has none.
    public static GlossVocabulary? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return null;
        string[]? glosses;
        try
        {
            glosses = JsonSerializer.Deserialize<string[]>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new Checkpoints.CheckpointFormatException(path, $"is not a JSON list of glosses ({e.Message})", e);
        }
        if (glosses is not [Blank, Unknown, ..])
            throw new Checkpoints.CheckpointFormatException(path, $"must start with \"{Blank}\" and \"{Unknown}\"");
        return new GlossVocabulary(glosses);
    }
}
