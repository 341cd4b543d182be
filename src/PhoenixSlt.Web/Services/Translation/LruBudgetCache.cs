namespace PhoenixSlt.Web.Services.Translation;

/// Least-recently-used cache of disposable values bounded by an estimated size budget. The value just used always
/// stays (even alone over budget); older ones are disposed until the rest fits. Not thread-safe: the translation
/// loop owns it.
public sealed class LruBudgetCache<T>(long budgetBytes, Func<string, T> load, Func<T, long> sizeOf) : IDisposable
    where T : IDisposable
{
    private readonly LinkedList<(string Key, T Value, long Bytes)> _entries = new(); // most recent first

    public long BudgetBytes { get; } = budgetBytes > 0 ? budgetBytes : throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, "the budget must be positive");

    public long UsedBytes => _entries.Sum(e => e.Bytes);

    public int Loads { get; private set; }

    public int Evictions { get; private set; }

    /// Keys from most to least recently used.
    public IReadOnlyList<string> Keys => [.. _entries.Select(e => e.Key)];

    /// The value of <paramref name="key"/>, loaded when missing; evicts the least recently used values over budget.
    public T Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Key != key)
                continue;
            _entries.Remove(node);
            _entries.AddFirst(node);
            return node.Value.Value;
        }
        T value = load(key);
        Loads++;
        _entries.AddFirst((key, value, Math.Max(0, sizeOf(value))));
        while (_entries.Count > 1 && UsedBytes > BudgetBytes)
        {
            var oldest = _entries.Last!;
            _entries.RemoveLast();
            oldest.Value.Value.Dispose();
            Evictions++;
        }
        return value;
    }

    public void Dispose()
    {
        foreach (var entry in _entries)
            entry.Value.Dispose();
        _entries.Clear();
    }
}
