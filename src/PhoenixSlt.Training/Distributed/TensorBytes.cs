using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// Bulk copies between tensors and host byte buffers: one memcpy for contiguous CPU tensors of the wire type,
/// one conversion (device transfer, cast, compaction) otherwise. Never a per-element loop.
internal static class TensorBytes
{
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentException($"tensors of type {dtype} cannot be sent", "tensor"),
    };

    /// Bytes the tensor's elements take as <paramref name="wire"/> values; a tensor above 2 GB is an error.
    public static int ByteCount(Tensor tensor, ScalarType wire)
    {
        long bytes = tensor.numel() * ElementSize(wire);
        if (bytes > Array.MaxLength)
            throw new ArgumentException($"a tensor of {bytes} bytes is too large for one collective; split it (for example into 25 MB buckets)", nameof(tensor));
        return (int)bytes;
    }

    /// Writes the tensor's elements, converted to <paramref name="wire"/>, in row-major order into <paramref name="destination"/>.
    public static void CopyOut(Tensor tensor, ScalarType wire, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return;
        if (IsDirect(tensor, wire))
        {
            tensor.bytes.CopyTo(destination);
            return;
        }
        using var host = tensor.detach().to(wire, CPU).contiguous();
        host.bytes.CopyTo(destination);
    }

    /// Overwrites the tensor's elements with the <paramref name="wire"/> values in <paramref name="source"/>
    /// (cast back to the tensor's type and device). Works on leaf parameters: the copy is not recorded by autograd.
    public static void CopyIn(Tensor tensor, ScalarType wire, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return;
        if (IsDirect(tensor, wire))
        {
            source.CopyTo(tensor.bytes);
            return;
        }
        using var host = empty(tensor.shape, wire, CPU);
        source.CopyTo(host.bytes);
        using var noGrad = no_grad();
        tensor.copy_(host);
    }

    /// A new tensor of <paramref name="dtype"/> and <paramref name="shape"/> on <paramref name="device"/> holding
    /// <paramref name="data"/> (row-major).
    public static Tensor FromBytes(ReadOnlySpan<byte> data, ScalarType dtype, long[] shape, Device device)
    {
        var host = empty(shape, dtype, CPU);
        if (!data.IsEmpty)
            data.CopyTo(host.bytes);
        if (device.type == DeviceType.CPU)
            return host;
        using (host)
            return host.to(device);
    }

    private static bool IsDirect(Tensor tensor, ScalarType wire) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == wire && tensor.is_contiguous();
}
