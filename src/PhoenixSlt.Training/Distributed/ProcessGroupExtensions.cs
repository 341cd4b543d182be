using System.Text.Json;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// Object and scalar collectives built on the byte and tensor collectives.
public static class ProcessGroupExtensions
{
    /// Every rank's value, indexed by rank, exchanged as System.Text.Json (for example the hypotheses each rank
    /// decoded, so that rank 0 scores the whole split).
    public static T[] AllGatherObject<T>(this IProcessGroup group, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(value, options);
        byte[][] gathered = group.AllGatherBytes(payload, cancellationToken);
        var values = new T[gathered.Length];
        for (int rank = 0; rank < gathered.Length; rank++)
            values[rank] = Deserialize<T>(gathered[rank], rank, options);
        return values;
    }

    /// <paramref name="root"/>'s value on every rank (other ranks' values are ignored).
    public static T BroadcastObject<T>(this IProcessGroup group, T value, int root = 0, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        byte[] payload = group.Rank == root ? JsonSerializer.SerializeToUtf8Bytes(value, options) : [];
        return Deserialize<T>(group.BroadcastBytes(payload, root, cancellationToken), root, options);
    }

    /// The reduction of one number over ranks (computed in float64 on the group's device).
    public static double AllReduceScalar(this IProcessGroup group, double value, ReduceOp op = ReduceOp.Sum, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        using var scalar = tensor(new[] { value }, ScalarType.Float64, group.Device);
        group.AllReduce(scalar, op, cancellationToken);
        using var host = scalar.cpu();
        return host.item<double>();
    }

    private static T Deserialize<T>(byte[] payload, int rank, JsonSerializerOptions? options)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload, options)!;
        }
        catch (JsonException e)
        {
            throw new DistributedException($"rank {rank} sent a value that is not valid JSON for {typeof(T).Name}: {e.Message}", rank, "all_gather_object", e);
        }
    }
}
