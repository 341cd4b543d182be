using System.Runtime.ExceptionServices;

namespace PhoenixSlt.Training.Data;

/// Loads the batches of an epoch on background threads into a bounded queue and hands them out in the planned order
/// (PyTorch's DataLoader with num_workers and prefetch_factor).
/// <para>Each of <see cref="Workers"/> threads claims the next undelivered batch, loads it with the given function and
/// parks it until the consumer reaches it, so the batches come out exactly as a synchronous loop over the same list
/// would produce them. At most <see cref="Depth"/> batches are claimed and not yet delivered: a worker blocks while
/// the queue is full.</para>
/// <para>A loading failure is rethrown by <see cref="Next"/> when the consumer reaches the failed batch (the
/// original exception, e.g. a <see cref="PhoenixSlt.Core.Data.PhoenixDataException"/> naming the file); the
/// workers stop claiming further batches. <see cref="Dispose"/> stops the workers, waits for them to finish and
/// disposes every batch that was loaded but not delivered.</para>
/// <para>Batches are built where the load function builds them (the CPU for the collator); moving them to the
/// training device is the consumer's job. TorchSharp has no pinned host memory, so there is no pin_memory
/// analogue: the host-to-device copy happens on the consumer thread. Tensors created on a worker thread belong to no
/// dispose scope (scopes are per thread) — the batch owns them until it is disposed.</para>
public sealed class PrefetchingLoader<T> : IDisposable where T : class, IDisposable
{
    private readonly Func<int[], T> _load;
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _free;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly T?[] _ready;
    private readonly ExceptionDispatchInfo?[] _failed;
    private int _claimed = -1;
    private int _delivered;
    private int _loaded;
    private int _buffered;
    private int _peakBuffered;
    private bool _disposed;

    /// <param name="batches">The batches of the epoch in the order they are to be delivered (sample indices).</param>
    /// <param name="load">Loads, normalises and collates one batch; called on worker threads, concurrently.</param>
    /// <param name="workers">Background threads; at least 1 (use the synchronous path for 0).</param>
    /// <param name="depth">Batches claimed ahead of the consumer; default 2 × workers (PyTorch's prefetch_factor 2).</param>
    public PrefetchingLoader(IReadOnlyList<int[]> batches, Func<int[], T> load, int workers, int? depth = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        int queue = depth ?? 2 * workers;
        ArgumentOutOfRangeException.ThrowIfLessThan(queue, 1, nameof(depth));
        Batches = batches;
        _load = load;
        Workers = workers;
        Depth = queue;
        _ready = new T?[batches.Count];
        _failed = new ExceptionDispatchInfo?[batches.Count];
        _free = new SemaphoreSlim(queue, queue);
        _threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            _threads[w] = new Thread(Work) { IsBackground = true, Name = $"phoenix-loader-{w}" };
            _threads[w].Start();
        }
    }

    public IReadOnlyList<int[]> Batches { get; }
    public int Workers { get; }
    public int Depth { get; }
    public int Count => Batches.Count;

    /// Batches handed to the consumer so far.
    public int Delivered => Volatile.Read(ref _delivered);

    /// Batches the workers finished loading (delivered or waiting).
    public int Loaded => Volatile.Read(ref _loaded);

    /// The most batches that were ever loaded and waiting for the consumer at once (never above <see cref="Depth"/>).
    public int PeakBuffered => Volatile.Read(ref _peakBuffered);

    /// Whether every batch was delivered.
    public bool IsCompleted => Delivered == Count;

    /// The sample indices of the batch <see cref="Next"/> returns next; null when all were delivered.
    public int[]? NextIndices => IsCompleted ? null : Batches[Delivered];

    /// Worker threads still running (0 once the epoch is loaded, a load failed, or the loader is disposed).
    public int RunningWorkers => _threads.Count(t => t.IsAlive);

    /// The next batch in order; the caller owns (and disposes) it. Rethrows the batch's loading failure.
    public T Next(CancellationToken cancellationToken = default)
    {
        T? batch;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int index = _delivered;
            if (index >= Count)
                throw new InvalidOperationException($"all {Count} batches of the epoch were already delivered");
            using (cancellationToken.Register(() => { lock (_gate) Monitor.PulseAll(_gate); }))
            {
                while (_ready[index] is null && _failed[index] is null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    Monitor.Wait(_gate);
                }
            }
            _failed[index]?.Throw();
            batch = _ready[index];
            _ready[index] = null;
            _delivered = index + 1;
            _buffered--;
            _free.Release();
        }
        return batch!;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _stop.Cancel();
        foreach (var thread in _threads)
            thread.Join();
        for (int i = 0; i < _ready.Length; i++)
        {
            _ready[i]?.Dispose();
            _ready[i] = null;
        }
        _free.Dispose();
        _stop.Dispose();
    }

    private void Work()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _free.Wait(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            int index = Interlocked.Increment(ref _claimed);
            if (index >= Count)
                return;
            T? batch = null;
            ExceptionDispatchInfo? failure = null;
            try
            {
                batch = _load(Batches[index]);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
            if (!Park(index, batch, failure))
                return;
        }
    }

    // Hands a loaded batch (or its failure) to the consumer; false when the worker should stop.
    private bool Park(int index, T? batch, ExceptionDispatchInfo? failure)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                batch?.Dispose();
                return false;
            }
            Interlocked.Increment(ref _loaded);
            if (failure is not null)
            {
                _failed[index] = failure;
                _stop.Cancel(); // later batches are not needed: the consumer stops at this one
            }
            else
            {
                _ready[index] = batch;
                _buffered++;
                _peakBuffered = Math.Max(_peakBuffered, _buffered);
            }
            Monitor.PulseAll(_gate);
            return failure is null;
        }
    }
}
