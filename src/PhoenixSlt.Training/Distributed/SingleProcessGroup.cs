using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// World size 1: every collective is the identity (all-reduce of one tensor is that tensor; all-gather returns a
/// copy), so single-process training runs the same code path as data-parallel training.
public sealed class SingleProcessGroup(Device? device = null, TimeSpan? timeout = null, DistributedBackend backend = DistributedBackend.Tcp) : IProcessGroup
{
    public int Rank => 0;

    public int WorldSize => 1;

    public DistributedBackend Backend { get; } = backend;

    public Device Device { get; } = device ?? CPU;

    public TimeSpan Timeout { get; } = timeout ?? DistributedOptions.DefaultTimeout;

    public void Broadcast(Tensor tensor, int root = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckRoot(root);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (op == ReduceOp.Avg && !tensor.is_floating_point())
            throw new ArgumentException($"average needs a floating-point tensor; got {tensor.dtype}", nameof(tensor));
        cancellationToken.ThrowIfCancellationRequested();
    }

    public Tensor[] AllGather(Tensor tensor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        cancellationToken.ThrowIfCancellationRequested();
        return [tensor.detach().clone()];
    }

    public byte[][] AllGatherBytes(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return [payload.ToArray()];
    }

    public byte[] BroadcastBytes(ReadOnlyMemory<byte> payload, int root = 0, CancellationToken cancellationToken = default)
    {
        CheckRoot(root);
        cancellationToken.ThrowIfCancellationRequested();
        return payload.ToArray();
    }

    public void Barrier(CancellationToken cancellationToken = default) => cancellationToken.ThrowIfCancellationRequested();

    public void Dispose()
    {
    }

    private static void CheckRoot(int root)
    {
        if (root != 0)
            throw new ArgumentOutOfRangeException(nameof(root), root, "root must be 0 in a group of one process");
    }
}
