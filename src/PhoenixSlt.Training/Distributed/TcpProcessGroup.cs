using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// CPU process group over TCP ("tcp" backend): rank r sends to rank r + 1 and receives from rank r − 1 on a ring
/// built through the rendezvous store. All-reduce is the bandwidth-optimal ring (reduce-scatter, then all-gather
/// over W chunks): every chunk is reduced exactly once, in ring order, and then copied, so all ranks end with
/// bit-identical values. Broadcast is pipelined along the ring in 1 MB segments; all-gather passes each rank's
/// payload W − 1 hops. Tensors on other devices or of half precision go through float32 host buffers.
/// A failure (peer gone, timeout, ranks out of step) is a <see cref="DistributedException"/> naming the rank;
/// it is passed on to the successor so the whole ring fails quickly, and the group is unusable afterwards.
public sealed class TcpProcessGroup : IProcessGroup
{
    public const string DefaultName = "tcp";
    private const int BroadcastSegment = 1 << 20;

    private readonly TcpStore? _store;
    private readonly bool _ownsStore;
    private readonly string _name;
    private readonly RingLink? _next;
    private readonly RingLink? _previous;
    private readonly CancellationTokenSource _disposeSource = new();
    private readonly Lock _failureGate = new();
    private DistributedException? _failure;
    private byte[] _data = [];
    private byte[] _chunk = [];
    private int _busy;
    private int _disposed;
    private int _sequence;

    private TcpProcessGroup(TcpStore? store, bool ownsStore, string name, int rank, int worldSize, TimeSpan timeout, RingLink? next, RingLink? previous)
    {
        _store = store;
        _ownsStore = ownsStore;
        _name = name;
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
        _next = next;
        _previous = previous;
    }

    public int Rank { get; }

    public int WorldSize { get; }

    public DistributedBackend Backend => DistributedBackend.Tcp;

    public Device Device => CPU;

    public TimeSpan Timeout { get; }

    internal RingLink NextLink => _next ?? throw new InvalidOperationException("a group of one process has no ring");

    internal RingLink PrevLink => _previous ?? throw new InvalidOperationException("a group of one process has no ring");

    internal bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// Joins the ring of <paramref name="worldSize"/> ranks whose rendezvous is <paramref name="store"/>; returns
    /// once this rank is connected to both neighbours. <paramref name="name"/> separates groups sharing a store.
    /// With <paramref name="ownsStore"/> the group disposes the store.
    public static async Task<TcpProcessGroup> CreateAsync(
        TcpStore store, int rank, int worldSize, TimeSpan timeout, string name = DefaultName, bool ownsStore = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (worldSize > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, $"the tcp backend supports up to {ushort.MaxValue} ranks");
        if (worldSize == 1)
            return new TcpProcessGroup(store, ownsStore, name, rank, worldSize, timeout, null, null);
        var (next, previous) = await RingRendezvous.ConnectAsync(store, name, rank, worldSize, timeout, cancellationToken).ConfigureAwait(false);
        return new TcpProcessGroup(store, ownsStore, name, rank, worldSize, timeout, next, previous);
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!Enum.IsDefined(op))
            throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction");
        var wire = ElementReduction.WireType(tensor.dtype, "all_reduce");
        if (op == ReduceOp.Avg && !ElementReduction.IsFloating(wire))
            throw new ArgumentException($"average needs a floating-point tensor; got {tensor.dtype}", nameof(tensor));
        int bytes = TensorBytes.ByteCount(tensor, wire);
        ThrowIfUnusable();
        if (WorldSize == 1)
            return;
        byte[] data = Scratch(ref _data, bytes);
        TensorBytes.CopyOut(tensor, wire, data.AsSpan(0, bytes));
        Run(CollectiveOp.AllReduce, cancellationToken, c => RingAllReduceAsync(c, data, bytes, wire, op));
        TensorBytes.CopyIn(tensor, wire, data.AsSpan(0, bytes));
    }

    public void Broadcast(Tensor tensor, int root = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
        int bytes = TensorBytes.ByteCount(tensor, tensor.dtype);
        ThrowIfUnusable();
        if (WorldSize == 1)
            return;
        byte[] data = Scratch(ref _data, bytes);
        if (Rank == root)
            TensorBytes.CopyOut(tensor, tensor.dtype, data.AsSpan(0, bytes));
        Run(CollectiveOp.Broadcast, cancellationToken, c => RingBroadcastAsync(c, data.AsMemory(0, bytes), root));
        if (Rank != root)
            TensorBytes.CopyIn(tensor, tensor.dtype, data.AsSpan(0, bytes));
    }

    public Tensor[] AllGather(Tensor tensor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        byte[] own = TensorWire.Encode(tensor);
        ThrowIfUnusable();
        if (WorldSize == 1)
            return [tensor.detach().clone()];
        byte[][] payloads = Run(CollectiveOp.AllGather, cancellationToken, c => RingAllGatherAsync(c, own));
        return TensorWire.DecodeAll(payloads, tensor.device);
    }

    public byte[][] AllGatherBytes(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        byte[] own = payload.ToArray();
        ThrowIfUnusable();
        if (WorldSize == 1)
            return [own];
        return Run(CollectiveOp.AllGatherBytes, cancellationToken, c => RingAllGatherAsync(c, own));
    }

    public byte[] BroadcastBytes(ReadOnlyMemory<byte> payload, int root = 0, CancellationToken cancellationToken = default)
    {
        CheckRoot(root);
        ThrowIfUnusable();
        if (WorldSize == 1)
            return payload.ToArray();
        return Run(CollectiveOp.BroadcastBytes, cancellationToken, async c =>
        {
            byte[] length = BitConverter.GetBytes((long)payload.Length);
            await RingBroadcastAsync(c, length, root).ConfigureAwait(false);
            long count = BitConverter.ToInt64(length);
            if (count < 0 || count > Array.MaxLength)
                throw new DistributedException($"rank {root} broadcasts {count} bytes, which cannot be received", root, c.Name);
            byte[] data = Rank == root ? payload.ToArray() : new byte[count];
            await RingBroadcastAsync(c, data, root).ConfigureAwait(false);
            return data;
        });
    }

    public void Barrier(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (WorldSize == 1)
            return;
        // every rank receives every other rank's (empty) block, and a block leaves its rank only after that rank entered
        Run(CollectiveOp.Barrier, cancellationToken, c => RingAllGatherAsync(c, []));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _disposeSource.Cancel();
        _next?.Dispose();
        _previous?.Dispose();
        if (_ownsStore)
            _store?.Dispose();
    }

    /// The error for a collective that ran out of time while waiting for <paramref name="peer"/>. With a store,
    /// ranks that time out post a note there; a rank that posts none within a grace period is named as the one
    /// that never reached the collective (hung or dead), which may be further up the ring than the direct peer.
    internal async Task<DistributedException> DescribeTimeoutAsync(RingCollective collective, int peer, string where)
    {
        string waited = $"timed out after {Durations.Format(Timeout)} waiting for rank {peer} in {collective.Name} ({where})";
        int[] silent = await SilentRanksAsync(collective.Sequence, $"{collective.Name} waiting for rank {peer}").ConfigureAwait(false);
        if (silent.Length == 0)
            return new DistributedException(waited, peer, collective.Name);
        string who = silent.Length == 1 ? $"rank {silent[0]} is" : $"ranks {string.Join(", ", silent)} are";
        return new DistributedException(
            $"{waited}; {who} not waiting in it (hung, crashed, still busy elsewhere, or calling a different collective)",
            silent.Contains(peer) ? peer : silent[0], collective.Name);
    }

    private async Task<int[]> SilentRanksAsync(int sequence, string status)
    {
        if (_store is null)
            return [];
        var grace = TimeSpan.FromTicks(Math.Clamp(Timeout.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));
        string Key(int rank) => RingRendezvous.Key(_name, $"timeout/{sequence}/{rank}");
        using var bound = new CancellationTokenSource(grace + TimeSpan.FromSeconds(2));
        try
        {
            await _store.SetStringAsync(Key(Rank), status, bound.Token).ConfigureAwait(false);
            int[] others = Enumerable.Range(0, WorldSize).Where(r => r != Rank).ToArray();
            try
            {
                await _store.WaitAsync(others.Select(Key).ToList(), grace, bound.Token).ConfigureAwait(false);
                return [];
            }
            catch (DistributedException)
            {
                // some ranks did not post: find out which
            }
            var silent = new List<int>();
            foreach (int rank in others)
                if (!await _store.CheckAsync([Key(rank)], bound.Token).ConfigureAwait(false))
                    silent.Add(rank);
            return [.. silent];
        }
        catch (Exception e) when (e is DistributedException or OperationCanceledException or ObjectDisposedException)
        {
            return []; // the store is unreachable (rank 0 may be the one that died): report the direct peer
        }
    }

    private async Task<bool> RingAllReduceAsync(RingCollective c, byte[] data, int bytes, ScalarType wire, ReduceOp op)
    {
        int world = WorldSize;
        int elementSize = TensorBytes.ElementSize(wire);
        long count = bytes / elementSize;
        ushort aux = RingMismatch.AllReduceAux(wire, op);
        var chunks = Chunks(count, world, elementSize);
        byte[] incoming = Scratch(ref _chunk, chunks.Max(chunk => chunk.Length));
        c.Steps = 2 * (world - 1);
        for (int s = 0; s < world - 1; s++)
        {
            // reduce-scatter: pass chunk (r − s) on, add the predecessor's chunk (r − s − 1) into ours
            c.Step = s + 1;
            var (sendAt, sendLength) = chunks[Mod(Rank - s, world)];
            var (receiveAt, receiveLength) = chunks[Mod(Rank - s - 1, world)];
            await c.BothAsync(
                c.SendAsync(aux, count, data.AsMemory(sendAt, sendLength)),
                c.ReceiveExactAsync(aux, count, incoming.AsMemory(0, receiveLength))).ConfigureAwait(false);
            ElementReduction.Accumulate(wire, op, data.AsSpan(receiveAt, receiveLength), incoming.AsSpan(0, receiveLength));
        }
        var (ownedAt, ownedLength) = chunks[Mod(Rank + 1, world)]; // fully reduced here, copied everywhere next
        if (op == ReduceOp.Avg)
            ElementReduction.Divide(wire, data.AsSpan(ownedAt, ownedLength), world);
        for (int s = 0; s < world - 1; s++)
        {
            // all-gather: pass chunk (r + 1 − s) on, store the predecessor's finished chunk (r − s)
            c.Step = world + s;
            var (sendAt, sendLength) = chunks[Mod(Rank + 1 - s, world)];
            var (receiveAt, receiveLength) = chunks[Mod(Rank - s, world)];
            await c.BothAsync(
                c.SendAsync(aux, count, data.AsMemory(sendAt, sendLength)),
                c.ReceiveExactAsync(aux, count, data.AsMemory(receiveAt, receiveLength))).ConfigureAwait(false);
        }
        return true;
    }

    private async Task<bool> RingBroadcastAsync(RingCollective c, Memory<byte> data, int root)
    {
        int world = WorldSize;
        int distance = Mod(Rank - root, world);
        bool receives = distance != 0;
        bool forwards = distance != world - 1;
        int segments = Math.Max(1, (data.Length + BroadcastSegment - 1) / BroadcastSegment);
        c.Steps = segments;
        Task pendingSend = Task.CompletedTask;
        for (int k = 0; k < segments; k++)
        {
            // receive segment k while segment k − 1 is still being forwarded
            c.Step = k + 1;
            int start = k * BroadcastSegment;
            var segment = data.Slice(start, Math.Min(BroadcastSegment, data.Length - start));
            Task receive = receives ? c.ReceiveExactAsync((ushort)root, data.Length, segment) : Task.CompletedTask;
            await c.BothAsync(pendingSend, receive).ConfigureAwait(false);
            pendingSend = forwards ? c.SendAsync((ushort)root, data.Length, segment) : Task.CompletedTask;
        }
        await c.BothAsync(pendingSend, Task.CompletedTask).ConfigureAwait(false);
        return true;
    }

    private async Task<byte[][]> RingAllGatherAsync(RingCollective c, byte[] own)
    {
        int world = WorldSize;
        var blocks = new byte[world][];
        blocks[Rank] = own;
        c.Steps = world - 1;
        for (int s = 0; s < world - 1; s++)
        {
            // pass block (r − s) on, receive block (r − s − 1)
            c.Step = s + 1;
            var send = c.SendAsync(0, world, blocks[Mod(Rank - s, world)]);
            var receive = c.ReceiveVariableAsync(0, world);
            await c.BothAsync(send, receive).ConfigureAwait(false);
            blocks[Mod(Rank - s - 1, world)] = await receive.ConfigureAwait(false);
        }
        return blocks;
    }

    private T Run<T>(CollectiveOp op, CancellationToken cancellationToken, Func<RingCollective, Task<T>> body)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new InvalidOperationException($"a collective is already running on rank {Rank}'s process group; collectives of one group must not overlap");
        try
        {
            ThrowIfUnusable();
            int sequence = ++_sequence;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposeSource.Token);
            deadline.CancelAfter(Timeout);
            var collective = new RingCollective(this, op, sequence, deadline, cancellationToken);
            try
            {
                return body(collective).GetAwaiter().GetResult();
            }
            catch (DistributedException e)
            {
                Fail(e, op, sequence);
                throw;
            }
            catch (OperationCanceledException e)
            {
                Fail(new DistributedException(
                    $"rank {Rank} cancelled {op.Name()} (collective #{sequence}); a process group cannot be used after a cancelled collective",
                    Rank, op.Name(), e), op, sequence);
                throw;
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// Records the first failure and passes it to the successor (then closes that link), so that ranks down the
    /// ring fail now with the original reason instead of at their own timeout.
    private void Fail(DistributedException failure, CollectiveOp op, int sequence)
    {
        lock (_failureGate)
        {
            if (_failure is not null)
                return;
            _failure = failure;
        }
        if (_next is null)
            return;
        var (message, detectedBy) = failure is PeerAbortException forwarded ? (forwarded.RootMessage, forwarded.DetectedBy) : (failure.Message, Rank);
        _next.TrySendAbort(op, sequence, failure.FailedRank, detectedBy, message, TimeSpan.FromSeconds(1));
        _next.Dispose();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var failure = _failure;
        if (failure is not null)
            throw new DistributedException($"the process group is unusable after an earlier failure: {failure.Message}", failure.FailedRank, failure.Operation, failure);
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in 0..{WorldSize - 1}");
    }

    /// Element-aligned byte ranges of <paramref name="parts"/> near-equal chunks (some empty when count &lt; parts).
    private static (int Offset, int Length)[] Chunks(long count, int parts, int elementSize)
    {
        var chunks = new (int, int)[parts];
        for (int i = 0; i < parts; i++)
        {
            long start = count * i / parts;
            long end = count * (i + 1) / parts;
            chunks[i] = ((int)(start * elementSize), (int)((end - start) * elementSize));
        }
        return chunks;
    }

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    private static byte[] Scratch(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
            buffer = new byte[size];
        return buffer;
    }
}
