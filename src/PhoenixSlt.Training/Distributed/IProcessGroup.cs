using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// The ranks of a data-parallel run and the collectives they perform together (torch.distributed's process group).
/// Every rank must call the same collectives in the same order with tensors of the same shape and type (all-gather
/// allows a different first dimension). Each collective is bounded by <see cref="Timeout"/>: a peer that
/// disconnects or stops answering makes it throw a <see cref="DistributedException"/> naming that rank, and the
/// group is unusable afterwards. Collectives of one group must not overlap (call them from one thread).
public interface IProcessGroup : IDisposable
{
    int Rank { get; }

    int WorldSize { get; }

    DistributedBackend Backend { get; }

    /// Where the collectives run natively: CPU for tcp, the rank's GPU for nccl. Tensors elsewhere are copied.
    Device Device { get; }

    /// Bound on each collective.
    TimeSpan Timeout { get; }

    /// Copies <paramref name="root"/>'s tensor into the tensor of every other rank (in place).
    void Broadcast(Tensor tensor, int root = 0, CancellationToken cancellationToken = default);

    /// Replaces the tensor on every rank by the element-wise reduction over ranks (in place). All ranks end with
    /// bit-identical values.
    void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, CancellationToken cancellationToken = default);

    /// Every rank's tensor, indexed by rank, on the input tensor's device. First dimensions may differ; type and
    /// the other dimensions must match. The caller owns the returned tensors.
    Tensor[] AllGather(Tensor tensor, CancellationToken cancellationToken = default);

    /// Every rank's byte payload, indexed by rank; payload lengths may differ.
    byte[][] AllGatherBytes(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <paramref name="root"/>'s payload on every rank (other ranks' payloads are ignored).
    byte[] BroadcastBytes(ReadOnlyMemory<byte> payload, int root = 0, CancellationToken cancellationToken = default);

    /// Returns once every rank has entered the barrier.
    void Barrier(CancellationToken cancellationToken = default);
}
