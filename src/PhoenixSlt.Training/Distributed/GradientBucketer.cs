using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// Averages gradients across data-parallel ranks the way torch DDP's reducer does: the gradients of the trainable
/// parameters are packed into flat buckets (default 25 MB, one element type and device per bucket), each bucket is
/// all-reduced with <see cref="ReduceOp.Avg"/>, and the averages are copied back into the gradients. Every rank
/// must build the bucketer over the same parameters in the same order.
/// A parameter without a gradient on some ranks (a branch unused in this batch) counts as zero there; it gets the
/// averaged gradient on every rank when at least one rank had one, and keeps no gradient when none had.
/// For that, each bucket carries one presence flag per parameter after the gradients (averaged with them).
public sealed class GradientBucketer
{
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    private readonly IProcessGroup _group;
    private readonly Bucket[] _buckets;

    public GradientBucketer(IProcessGroup group, IEnumerable<Parameter> parameters, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketBytes);
        _group = group;
        var trainable = parameters.Where(p => p.requires_grad).ToList();
        _buckets = Partition(trainable, bucketBytes)
            .Select(members => new Bucket([.. members.Cast<Parameter>()]))
            .ToArray();
    }

    public int BucketCount => _buckets.Length;

    /// Gradient elements per bucket (without the presence flags).
    public IReadOnlyList<long> BucketElements => _buckets.Select(b => b.Elements).ToArray();

    /// Replaces every trainable parameter's gradient by its average over ranks (a no-op for one process).
    public void AllReduceGradients(CancellationToken cancellationToken = default)
    {
        if (_group.WorldSize == 1)
            return;
        foreach (var bucket in _buckets)
            Reduce(bucket, cancellationToken);
    }

    /// Copies <paramref name="root"/>'s parameters and buffers into every rank's module, after checking that all
    /// ranks built the same model (names, shapes, types), so that data-parallel training starts from one state.
    public static void BroadcastParameters(IProcessGroup group, nn.Module module, int root = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(module);
        var entries = module.named_parameters().Select(p => (Name: p.name, Tensor: (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (Name: b.name, Tensor: b.buffer)))
            .ToList();
        CheckSameModel(group, entries, root, cancellationToken);
        if (group.WorldSize == 1)
            return;
        foreach (var members in Partition(entries.Select(e => e.Tensor).ToList(), DefaultBucketBytes))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var flat = cat(members.Select(t => t.detach().reshape(-1)).ToList(), 0);
            group.Broadcast(flat, root, cancellationToken);
            if (group.Rank == root)
                continue;
            long offset = 0;
            foreach (var t in members)
            {
                t.copy_(flat.narrow(0, offset, t.numel()).view(t.shape));
                offset += t.numel();
            }
        }
    }

    private void Reduce(Bucket bucket, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameters = bucket.Parameters;
        var flat = zeros(bucket.Elements + parameters.Length, bucket.DType, bucket.Device);
        var present = new float[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null)
                continue;
            present[i] = 1;
            flat.narrow(0, bucket.Offsets[i], parameters[i].numel()).copy_(grad.reshape(-1));
        }
        flat.narrow(0, bucket.Elements, parameters.Length).copy_(tensor(present));
        _group.AllReduce(flat, ReduceOp.Avg, cancellationToken);
        var reached = flat.narrow(0, bucket.Elements, parameters.Length).to(ScalarType.Float32, CPU).contiguous();
        var anyRank = MemoryMarshal.Cast<byte, float>(reached.bytes);
        for (int i = 0; i < parameters.Length; i++)
        {
            if (anyRank[i] <= 0)
                continue; // no rank had a gradient: leave none
            var average = flat.narrow(0, bucket.Offsets[i], parameters[i].numel()).view(parameters[i].shape);
            var grad = parameters[i].grad;
            if (grad is null)
                parameters[i].grad = average.clone();
            else
                grad.copy_(average);
        }
    }

    /// Consecutive runs of tensors with one element type and device, cut when a run would exceed
    /// <paramref name="bucketBytes"/> (a larger tensor gets a run of its own).
    private static List<List<Tensor>> Partition<T>(List<T> tensors, long bucketBytes)
        where T : Tensor
    {
        var runs = new List<List<Tensor>>();
        List<Tensor>? current = null;
        long bytes = 0;
        foreach (var t in tensors)
        {
            long size = t.numel() * TensorBytes.ElementSize(t.dtype);
            bool fits = current is not null && current[0].dtype == t.dtype && SameDevice(current[0], t) && bytes + size <= bucketBytes;
            if (!fits)
            {
                current = [];
                runs.Add(current);
                bytes = 0;
            }
            current!.Add(t);
            bytes += size;
        }
        return runs;
    }

    private static bool SameDevice(Tensor a, Tensor b) => a.device_type == b.device_type && a.device_index == b.device_index;

    private static void CheckSameModel(IProcessGroup group, List<(string Name, Tensor Tensor)> entries, int root, CancellationToken cancellationToken)
    {
        string[] mine = entries.Select(e => $"{e.Name} {e.Tensor.dtype} [{string.Join(", ", e.Tensor.shape)}]").ToArray();
        string[][] all = group.AllGatherObject(mine, cancellationToken: cancellationToken);
        for (int rank = 0; rank < all.Length; rank++)
        {
            if (rank == root || all[rank].SequenceEqual(all[root]))
                continue;
            int at = Enumerable.Range(0, Math.Min(all[rank].Length, all[root].Length)).FirstOrDefault(i => all[rank][i] != all[root][i], -1);
            string difference = at >= 0
                ? $"rank {root} has '{all[root][at]}' where rank {rank} has '{all[rank][at]}'"
                : $"rank {root} has {all[root].Length} parameters and buffers, rank {rank} has {all[rank].Length}";
            throw new DistributedException(
                $"rank {rank}'s model differs from rank {root}'s ({difference}); every worker must build the same model configuration",
                rank, "broadcast_parameters");
        }
    }

    private sealed class Bucket
    {
        public Bucket(Parameter[] parameters)
        {
            Parameters = parameters;
            Offsets = new long[parameters.Length];
            long offset = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                Offsets[i] = offset;
                offset += parameters[i].numel();
            }
            Elements = offset;
            DType = parameters[0].dtype;
            Device = parameters[0].device;
        }

        public Parameter[] Parameters { get; }

        public long[] Offsets { get; }

        public long Elements { get; }

        public ScalarType DType { get; }

        public Device Device { get; }
    }
}
