namespace PhoenixSlt.Training.Specs;

/// The problems of a spec, keyed by field name (snake_case, e.g. "batch_size"); empty when valid.
public sealed class SpecProblems(IReadOnlyDictionary<string, string[]> errors)
{
    public static SpecProblems None { get; } = new(new Dictionary<string, string[]>());

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public bool IsValid => Errors.Count == 0;

    /// Every message, in field-table order (fields first, then anything else).
    public IReadOnlyList<string> Messages => [.. Errors.OrderBy(e => Order(e.Key)).SelectMany(e => e.Value)];

    /// The messages of <paramref name="field"/> (a JSON name), or none.
    public IReadOnlyList<string> For(string field) => Errors.TryGetValue(field, out var messages) ? messages : [];

    /// The first message of <paramref name="field"/>, or null.
    public string? FirstFor(string field) => For(field) is [var first, ..] ? first : null;

    /// These problems and <paramref name="other"/>'s together.
    public SpecProblems Merge(SpecProblems other)
    {
        if (other.IsValid)
            return this;
        if (IsValid)
            return other;
        var merged = Errors.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);
        foreach (var (field, messages) in other.Errors)
        {
            if (!merged.TryGetValue(field, out var list))
                merged[field] = list = [];
            list.AddRange(messages);
        }
        return new SpecProblems(merged.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    private static int Order(string field)
    {
        for (int i = 0; i < RunSpecFields.All.Count; i++)
        {
            if (RunSpecFields.All[i].Name == field)
                return i;
        }
        return int.MaxValue;
    }

    /// Collects messages by field.
    public sealed class Builder
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string? message)
        {
            if (message is null)
                return;
            if (!_errors.TryGetValue(field, out var list))
                _errors[field] = list = [];
            list.Add(message);
        }

        public SpecProblems Build() => _errors.Count == 0
            ? None
            : new SpecProblems(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}
