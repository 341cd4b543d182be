using System.Buffers.Binary;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// A tensor as a self-describing byte payload for all-gather: [int32 dtype][int32 rank][int64 × rank sizes][data].
internal static class TensorWire
{
    public static byte[] Encode(Tensor tensor)
    {
        long[] shape = tensor.shape;
        int headerBytes = 8 + 8 * shape.Length;
        int dataBytes = TensorBytes.ByteCount(tensor, tensor.dtype);
        byte[] payload = new byte[headerBytes + dataBytes];
        BinaryPrimitives.WriteInt32LittleEndian(payload, (int)tensor.dtype);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), shape.Length);
        for (int d = 0; d < shape.Length; d++)
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8 + 8 * d), shape[d]);
        TensorBytes.CopyOut(tensor, tensor.dtype, payload.AsSpan(headerBytes));
        return payload;
    }

    /// The gathered tensors on <paramref name="device"/>, after checking that every rank sent the same type and
    /// the same sizes beyond the first dimension.
    public static Tensor[] DecodeAll(byte[][] payloads, Device device)
    {
        var headers = payloads.Select((p, rank) => ReadHeader(p, rank)).ToArray();
        var reference = headers[0];
        for (int rank = 1; rank < headers.Length; rank++)
            if (!Compatible(reference, headers[rank]))
                throw new DistributedException(
                    "all_gather needs the same tensor type and the same sizes beyond the first dimension on every rank; got "
                    + string.Join(", ", headers.Select((h, r) => $"rank {r}: {h.DType} [{string.Join(", ", h.Shape)}]")),
                    rank, "all_gather");
        var tensors = new Tensor[payloads.Length];
        try
        {
            for (int rank = 0; rank < payloads.Length; rank++)
                tensors[rank] = TensorBytes.FromBytes(payloads[rank].AsSpan(headers[rank].DataOffset), headers[rank].DType, headers[rank].Shape, device);
        }
        catch
        {
            foreach (var tensor in tensors)
                tensor?.Dispose();
            throw;
        }
        return tensors;
    }

    private static (ScalarType DType, long[] Shape, int DataOffset) ReadHeader(byte[] payload, int rank)
    {
        if (payload.Length < 8)
            throw Corrupt(rank);
        var dtype = (ScalarType)BinaryPrimitives.ReadInt32LittleEndian(payload);
        int dims = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
        if (dims < 0 || dims > 64 || payload.Length < 8 + 8 * dims)
            throw Corrupt(rank);
        var shape = new long[dims];
        for (int d = 0; d < dims; d++)
            shape[d] = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8 + 8 * d));
        int offset = 8 + 8 * dims;
        long expected = shape.Aggregate(1L, (a, b) => a * b) * TensorBytes.ElementSize(dtype);
        if (shape.Any(s => s < 0) || payload.Length - offset != expected)
            throw Corrupt(rank);
        return (dtype, shape, offset);
    }

    private static bool Compatible((ScalarType DType, long[] Shape, int _) a, (ScalarType DType, long[] Shape, int _) b) =>
        a.DType == b.DType && a.Shape.Length == b.Shape.Length && a.Shape.Skip(1).SequenceEqual(b.Shape.Skip(1));

    private static DistributedException Corrupt(int rank) =>
        new($"rank {rank} sent an all_gather payload that is not a tensor", rank, "all_gather");
}
