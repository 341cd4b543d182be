using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// CUDA process group over NVIDIA NCCL ("nccl" backend), through P/Invoke to libnccl.so.2 (2.10 or later).
/// Rank 0 creates the NCCL unique id and publishes it in the rendezvous store; with a master address reachable
/// from every node this works across machines (NCCL then finds its own transport: NVLink, InfiniBand, sockets).
/// Collectives run on the legacy default CUDA stream (stream 0), which is the stream TorchSharp's kernels use,
/// so they are ordered after the kernels that produced the tensors. Each collective then waits for the device
/// on a watchdog: when a peer dies NCCL reports an asynchronous error, when it hangs the timeout fires; either
/// way the communicator is aborted and a <see cref="DistributedException"/> is thrown (NCCL does not say which
/// rank failed). The communicator belongs to one device: start one worker per GPU (the launcher sets
/// CUDA_VISIBLE_DEVICES and uses cuda:0; other indices need libcudart to select the device).
public sealed class NcclProcessGroup : IProcessGroup
{
    public const string DefaultName = "nccl";

    public const string MissingLibraryMessage =
        "NCCL backend needs libnccl.so.2 (apt install libnccl2 / use the GPU image); use --backend tcp on CPU";

    private const int MaxGatherDims = 8;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly TcpStore? _store;
    private readonly bool _ownsStore;
    private IntPtr _comm;
    private DistributedException? _failure;
    private int _disposed;
    private int _sequence;

    private NcclProcessGroup(IntPtr comm, Device device, int rank, int worldSize, TimeSpan timeout, TcpStore? store, bool ownsStore)
    {
        _comm = comm;
        Device = device;
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
        _store = store;
        _ownsStore = ownsStore;
    }

    public int Rank { get; }

    public int WorldSize { get; }

    public DistributedBackend Backend => DistributedBackend.Nccl;

    public Device Device { get; }

    public TimeSpan Timeout { get; }

    /// True when libnccl.so.2 can be loaded in this process.
    public static bool IsLibraryAvailable() => NcclNative.IsAvailable();

    /// Throws a <see cref="DistributedException"/> saying what to do when NCCL cannot run here: a non-CUDA device,
    /// libnccl.so.2 missing, or no CUDA in this TorchSharp build.
    public static void EnsureUsable(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA)
            throw new DistributedException($"the nccl backend works on CUDA devices, not {device}; use --backend tcp for --device cpu", null, "nccl_init");
        if (!NcclNative.IsAvailable())
            throw LibraryMissing(null);
        if (!cuda.is_available())
            throw new DistributedException(
                "the nccl backend needs CUDA, but TorchSharp sees no CUDA device (a CPU-only build, no GPU, or no driver); use --backend tcp --device cpu",
                null, "nccl_init");
    }

    /// The error for a missing or unusable NCCL library.
    public static DistributedException LibraryMissing(Exception? cause) =>
        new(cause is EntryPointNotFoundException
                ? $"{MissingLibraryMessage} (the installed NCCL is too old: version 2.10 or later is needed; {cause.Message})"
                : MissingLibraryMessage,
            null, "nccl_init", cause);

    /// Creates the communicator of <paramref name="worldSize"/> ranks on <paramref name="device"/>.
    public static async Task<NcclProcessGroup> CreateAsync(
        TcpStore store, Device device, int rank, int worldSize, TimeSpan timeout, string name = DefaultName, bool ownsStore = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        EnsureUsable(device);
        NcclUniqueId id;
        string key = $"{name}/unique_id";
        if (rank == 0)
        {
            NcclUniqueId created = default;
            Call(() => NcclNative.GetUniqueId(out created), "ncclGetUniqueId");
            id = created;
            await store.SetAsync(key, id.ToBytes(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                id = NcclUniqueId.FromBytes(await store.GetAsync(key, timeout, cancellationToken).ConfigureAwait(false));
            }
            catch (DistributedException e) when (e.Operation == "get")
            {
                throw new DistributedException($"timed out after {Durations.Format(timeout)} waiting for rank 0 to publish the NCCL unique id; start rank 0 with the same master address and port", 0, "nccl_init", e);
            }
        }
        IntPtr comm = await InitializeCommunicatorAsync(id, device, rank, worldSize, timeout, cancellationToken).ConfigureAwait(false);
        return new NcclProcessGroup(comm, device, rank, worldSize, timeout, store, ownsStore);
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dataType = DataType(tensor.dtype, "all_reduce");
        if (op == ReduceOp.Avg && !tensor.is_floating_point())
            throw new ArgumentException($"average needs a floating-point tensor; got {tensor.dtype}", nameof(tensor));
        var redOp = op switch
        {
            ReduceOp.Sum => NcclRedOp.Sum,
            ReduceOp.Avg => NcclRedOp.Avg,
            ReduceOp.Max => NcclRedOp.Max,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction"),
        };
        OnDevice(tensor, writeBack: true, work =>
        {
            IntPtr data = TensorPointers.DataPointer(work);
            Collective("all_reduce", () => NcclNative.AllReduce(data, data, (nuint)work.numel(), dataType, redOp, _comm, IntPtr.Zero), cancellationToken);
        });
    }

    public void Broadcast(Tensor tensor, int root = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
        var dataType = DataType(tensor.dtype, "broadcast");
        OnDevice(tensor, writeBack: Rank != root, work =>
        {
            IntPtr data = TensorPointers.DataPointer(work);
            Collective("broadcast", () => NcclNative.Broadcast(data, data, (nuint)work.numel(), dataType, root, _comm, IntPtr.Zero), cancellationToken);
        });
    }

    public Tensor[] AllGather(Tensor tensor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dataType = DataType(tensor.dtype, "all_gather");
        if (tensor.dim() > MaxGatherDims)
            throw new ArgumentException($"the nccl backend gathers tensors of up to {MaxGatherDims} dimensions; got {tensor.dim()}", nameof(tensor));
        using var scope = NewDisposeScope();
        long[][] shapes = GatherShapes(tensor, cancellationToken);
        long[] rest = tensor.dim() == 0 ? [] : tensor.shape[1..];
        long rows = tensor.dim() == 0 ? 1 : shapes.Max(s => s[0]);
        // pad every rank's rows to the longest, gather, then cut each rank's rows back out
        var padded = zeros([rows, .. rest], tensor.dtype, Device);
        if (tensor.numel() > 0)
            padded.narrow(0, 0, tensor.dim() == 0 ? 1 : tensor.shape[0]).copy_(tensor.detach().reshape([tensor.dim() == 0 ? 1 : tensor.shape[0], .. rest]));
        var gathered = empty([WorldSize * rows, .. rest], tensor.dtype, Device);
        IntPtr send = TensorPointers.DataPointer(padded);
        IntPtr receive = TensorPointers.DataPointer(gathered);
        Collective("all_gather", () => NcclNative.AllGather(send, receive, (nuint)padded.numel(), dataType, _comm, IntPtr.Zero), cancellationToken);
        var result = new Tensor[WorldSize];
        for (int r = 0; r < WorldSize; r++)
        {
            var block = gathered.narrow(0, r * rows, tensor.dim() == 0 ? 1 : shapes[r][0]);
            result[r] = (tensor.dim() == 0 ? block.reshape([]) : block).to(tensor.device).clone().MoveToOuterDisposeScope();
        }
        return result;
    }

    public byte[][] AllGatherBytes(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var local = tensor(payload.ToArray(), ScalarType.Byte, Device);
        var parts = AllGather(local, cancellationToken);
        var result = new byte[parts.Length][];
        for (int r = 0; r < parts.Length; r++)
        {
            using var host = parts[r].cpu();
            result[r] = host.bytes.ToArray();
            parts[r].Dispose();
        }
        return result;
    }

    public byte[] BroadcastBytes(ReadOnlyMemory<byte> payload, int root = 0, CancellationToken cancellationToken = default)
    {
        CheckRoot(root);
        using var scope = NewDisposeScope();
        var length = tensor(new long[] { payload.Length }, ScalarType.Int64, Device);
        Broadcast(length, root, cancellationToken);
        long count = length.cpu().item<long>();
        var data = Rank == root ? tensor(payload.ToArray(), ScalarType.Byte, Device) : zeros(count, ScalarType.Byte, Device);
        Broadcast(data, root, cancellationToken);
        return data.cpu().bytes.ToArray();
    }

    public void Barrier(CancellationToken cancellationToken = default)
    {
        using var token = ones(1, ScalarType.Float32, Device);
        AllReduce(token, ReduceOp.Sum, cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        IntPtr comm = Interlocked.Exchange(ref _comm, IntPtr.Zero);
        if (comm != IntPtr.Zero)
        {
            try
            {
                if (_failure is null)
                    NcclNative.CommDestroy(comm);
                else
                    NcclNative.CommAbort(comm);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // nothing to release without the library
            }
        }
        if (_ownsStore)
            _store?.Dispose();
    }

    private static async Task<IntPtr> InitializeCommunicatorAsync(NcclUniqueId id, Device device, int rank, int worldSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var init = Task.Factory.StartNew(() =>
        {
            int index = Math.Max(device.index, 0);
            if (!CudaRuntime.TrySetDevice(index, out string? problem) && index != 0)
                throw new DistributedException(
                    $"cannot make cuda:{index} current for NCCL ({problem}); start one worker per GPU with CUDA_VISIBLE_DEVICES=<gpu> and --device cuda:0",
                    null, "nccl_init");
            IntPtr comm = IntPtr.Zero;
            Call(() => NcclNative.CommInitRank(out comm, worldSize, id, rank), "ncclCommInitRank");
            return comm;
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await init.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DistributedException(
                $"timed out after {Durations.Format(timeout)} initialising NCCL with {worldSize} ranks: a rank did not join (check that every worker started and that the nodes reach each other; NCCL_SOCKET_IFNAME selects the interface)",
                null, "nccl_init");
        }
    }

    /// Enqueues one NCCL call, then waits for the device with a watchdog (asynchronous NCCL errors and the timeout).
    private void Collective(string operation, Func<NcclResult> call, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        int sequence = Interlocked.Increment(ref _sequence);
        string where = $"{operation} (collective #{sequence})";
        Call(call, where);
        var synchronized = Task.Run(() => cuda.synchronize(Device), CancellationToken.None);
        var deadline = DateTime.UtcNow + Timeout;
        while (!synchronized.Wait(PollInterval, CancellationToken.None))
        {
            NcclResult asyncError = NcclResult.Success;
            Call(() => NcclNative.CommGetAsyncError(_comm, out asyncError), where);
            if (asyncError != NcclResult.Success)
                throw Abort(new DistributedException($"NCCL reported \"{NcclNative.Describe(asyncError)}\" during {where}; a peer probably exited or the network failed (NCCL does not say which rank)", null, operation));
            if (cancellationToken.IsCancellationRequested)
            {
                Abort(new DistributedException($"rank {Rank} cancelled {where}", Rank, operation));
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (DateTime.UtcNow > deadline)
                throw Abort(new DistributedException($"timed out after {Durations.Format(Timeout)} in {where} (NCCL): a rank is hung or dead; NCCL cannot tell which", null, operation));
        }
        if (synchronized.IsFaulted)
            throw Abort(new DistributedException($"CUDA failed after {where}: {synchronized.Exception!.InnerException!.Message}", null, operation, synchronized.Exception.InnerException));
    }

    private DistributedException Abort(DistributedException failure)
    {
        _failure ??= failure;
        IntPtr comm = Interlocked.Exchange(ref _comm, IntPtr.Zero);
        if (comm != IntPtr.Zero)
            NcclNative.CommAbort(comm);
        return failure;
    }

    private static void Call(Func<NcclResult> call, string what)
    {
        NcclResult result;
        try
        {
            result = call();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw LibraryMissing(e);
        }
        if (result != NcclResult.Success)
            throw new DistributedException($"{what} failed: {NcclNative.Describe(result)} ({result})", null, what);
    }

    /// Runs <paramref name="action"/> on the tensor itself when it is contiguous on this group's device, otherwise
    /// on a contiguous copy there (written back when <paramref name="writeBack"/>).
    private void OnDevice(Tensor tensor, bool writeBack, Action<Tensor> action)
    {
        bool direct = tensor.device_type == DeviceType.CUDA && tensor.device_index == Math.Max(Device.index, 0) && tensor.is_contiguous();
        if (direct)
        {
            action(tensor);
            return;
        }
        using var work = tensor.detach().to(Device).contiguous();
        action(work);
        if (writeBack)
        {
            using var noGrad = no_grad();
            tensor.copy_(work);
        }
    }

    private long[][] GatherShapes(Tensor tensor, CancellationToken cancellationToken)
    {
        const int width = 2 + MaxGatherDims;
        long[] header = new long[width];
        header[0] = (long)tensor.dtype;
        header[1] = tensor.dim();
        tensor.shape.CopyTo(header, 2);
        using var local = torch.tensor(header, ScalarType.Int64, Device);
        using var all = empty(WorldSize * width, ScalarType.Int64, Device);
        IntPtr send = TensorPointers.DataPointer(local);
        IntPtr receive = TensorPointers.DataPointer(all);
        Collective("all_gather", () => NcclNative.AllGather(send, receive, width, NcclDataType.Int64, _comm, IntPtr.Zero), cancellationToken);
        using var host = all.cpu();
        long[] values = host.data<long>().ToArray();
        var shapes = new long[WorldSize][];
        for (int r = 0; r < WorldSize; r++)
        {
            var row = values.AsSpan(r * width, width);
            int trailing = (int)Math.Max(0, tensor.dim() - 1);
            bool same = row[0] == header[0] && row[1] == header[1] && row.Slice(3, trailing).SequenceEqual(header.AsSpan(3, trailing));
            if (!same)
                throw new DistributedException(
                    $"all_gather needs the same tensor type and the same sizes beyond the first dimension on every rank; rank {r} has {(ScalarType)row[0]} with {row[1]} dimensions, rank {Rank} has {tensor.dtype} [{string.Join(", ", tensor.shape)}]",
                    r, "all_gather");
            shapes[r] = row.Slice(2, (int)row[1]).ToArray();
        }
        return shapes;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_failure is { } failure)
            throw new DistributedException($"the process group is unusable after an earlier failure: {failure.Message}", failure.FailedRank, failure.Operation, failure);
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in 0..{WorldSize - 1}");
    }

    private static NcclDataType DataType(ScalarType dtype, string operation) => dtype switch
    {
        ScalarType.Int8 => NcclDataType.Int8,
        ScalarType.Byte => NcclDataType.Uint8,
        ScalarType.Int32 => NcclDataType.Int32,
        ScalarType.Int64 => NcclDataType.Int64,
        ScalarType.Float16 => NcclDataType.Float16,
        ScalarType.Float32 => NcclDataType.Float32,
        ScalarType.Float64 => NcclDataType.Float64,
        ScalarType.BFloat16 => NcclDataType.Bfloat16,
        _ => throw new ArgumentException($"{operation} on the nccl backend supports int8, uint8, int32, int64, float16, bfloat16, float32 and float64 tensors; got {dtype}", "tensor"),
    };
}
