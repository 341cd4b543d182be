namespace PhoenixSlt.Training.Data;

/// Serves a training task's <c>Loss(batch, epoch)</c> calls from a <see cref="PrefetchingLoader{T}"/> over the
/// epoch's planned batches. The task registers each epoch's plan (<see cref="Plan"/>); <see cref="Take"/> returns
/// the requested batch — from the running loader when it is the one the loader delivers next, otherwise (the trainer
/// skipped ahead, e.g. on resume) from a new loader started at that batch's position in the plan, or loaded
/// synchronously when the batch is not in the plan. With 0 workers every batch is loaded synchronously on the
/// calling thread, exactly as before prefetching existed. The load function gets the epoch with the indices (training
/// augmentation depends on it).
public sealed class EpochPrefetcher<T> : IDisposable where T : class, IDisposable
{
    private readonly Func<int[], int, T> _load;
    private readonly Dictionary<int, IReadOnlyList<int[]>> _plans = [];
    private PrefetchingLoader<T>? _loader;
    private int _loaderEpoch = -1;

    /// <param name="load">Loads one batch (thread-safe: called from several threads at once).</param>
    /// <param name="workers">Background threads; 0 = load synchronously on the caller's thread.</param>
    /// <param name="depth">Prefetch queue depth; default 2 × workers.</param>
    public EpochPrefetcher(Func<int[], T> load, int workers, int? depth = null)
        : this(Ignoring(load ?? throw new ArgumentNullException(nameof(load))), workers, depth)
    {
    }

    /// <param name="load">Loads one batch of an epoch: (indices, epoch) → batch (thread-safe: called from several threads at once).</param>
    /// <param name="workers">Background threads; 0 = load synchronously on the caller's thread.</param>
    /// <param name="depth">Prefetch queue depth; default 2 × workers.</param>
    public EpochPrefetcher(Func<int[], int, T> load, int workers, int? depth = null)
    {
        _load = load ?? throw new ArgumentNullException(nameof(load));
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        Workers = workers;
        Depth = depth;
    }

    public int Workers { get; }
    public int? Depth { get; }

    /// Loaders started so far (1 per epoch when the trainer follows the plan).
    public int LoadersStarted { get; private set; }

    /// Records the batches of <paramref name="epoch"/> in the order the trainer will ask for them.
    public IReadOnlyList<int[]> Plan(int epoch, IReadOnlyList<int[]> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        foreach (int old in _plans.Keys.Where(e => e < epoch - 1).ToList())
            _plans.Remove(old);
        _plans[epoch] = batches;
        return batches;
    }

    /// The loaded batch <paramref name="indices"/> of <paramref name="epoch"/>; the caller owns (and disposes) it.
    public T Take(int[] indices, int epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (Workers == 0)
            return _load(indices, epoch);
        if (_loader is not null && _loaderEpoch == epoch && _loader.NextIndices is int[] next && next.AsSpan().SequenceEqual(indices))
            return _loader.Next(cancellationToken);

        StopLoader();
        int position = _plans.TryGetValue(epoch, out var plan) ? IndexOf(plan, indices) : -1;
        if (position < 0)
            return _load(indices, epoch);
        var rest = plan!.Skip(position).ToArray();
        _loader = new PrefetchingLoader<T>(rest, batch => _load(batch, epoch), Math.Min(Workers, rest.Length), Depth);
        _loaderEpoch = epoch;
        LoadersStarted++;
        return _loader.Next(cancellationToken);
    }

    /// Stops the background loading (undelivered batches are disposed).
    public void Dispose() => StopLoader();

    private void StopLoader()
    {
        _loader?.Dispose();
        _loader = null;
        _loaderEpoch = -1;
    }

    private static Func<int[], int, T> Ignoring(Func<int[], T> load) => (indices, _) => load(indices);

    private static int IndexOf(IReadOnlyList<int[]> plan, int[] indices)
    {
        for (int i = 0; i < plan.Count; i++)
        {
            if (plan[i].AsSpan().SequenceEqual(indices))
                return i;
        }
        return -1;
    }
}
