using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// Element-wise reductions on host buffers for the TCP backend. Each call combines two buffers in one fixed order,
/// so the ring (which reduces every chunk exactly once and then copies it) leaves bit-identical results on all ranks.
internal static class ElementReduction
{
    /// The element type that travels on the wire for a tensor type: half precision is reduced in float32
    /// (and rounded back once at the end); unsupported types are an <see cref="ArgumentException"/>.
    public static ScalarType WireType(ScalarType dtype, string operation) => dtype switch
    {
        ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int32 or ScalarType.Int64 => dtype,
        ScalarType.Float16 or ScalarType.BFloat16 => ScalarType.Float32,
        _ => throw new ArgumentException(
            $"{operation} supports float16, bfloat16, float32, float64, int32 and int64 tensors; got {dtype}", "tensor"),
    };

    public static bool IsFloating(ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float64;

    /// accumulator ⊕= incoming, element-wise (the spans hold <paramref name="dtype"/> elements).
    public static void Accumulate(ScalarType dtype, ReduceOp op, Span<byte> accumulator, ReadOnlySpan<byte> incoming)
    {
        if (accumulator.Length != incoming.Length)
            throw new ArgumentException($"buffers differ in length ({accumulator.Length} vs {incoming.Length} bytes)");
        switch (dtype)
        {
            case ScalarType.Float32: Accumulate(op, MemoryMarshal.Cast<byte, float>(accumulator), MemoryMarshal.Cast<byte, float>(incoming)); break;
            case ScalarType.Float64: Accumulate(op, MemoryMarshal.Cast<byte, double>(accumulator), MemoryMarshal.Cast<byte, double>(incoming)); break;
            case ScalarType.Int32: Accumulate(op, MemoryMarshal.Cast<byte, int>(accumulator), MemoryMarshal.Cast<byte, int>(incoming)); break;
            case ScalarType.Int64: Accumulate(op, MemoryMarshal.Cast<byte, long>(accumulator), MemoryMarshal.Cast<byte, long>(incoming)); break;
            default: throw new ArgumentException($"no reduction for {dtype}");
        }
    }

    /// values /= divisor (the last step of an average).
    public static void Divide(ScalarType dtype, Span<byte> values, int divisor)
    {
        switch (dtype)
        {
            case ScalarType.Float32: Divide(MemoryMarshal.Cast<byte, float>(values), (float)divisor); break;
            case ScalarType.Float64: Divide(MemoryMarshal.Cast<byte, double>(values), divisor); break;
            default: throw new ArgumentException($"average needs a floating-point tensor; got {dtype}");
        }
    }

    internal static void Accumulate<T>(ReduceOp op, Span<T> accumulator, ReadOnlySpan<T> incoming)
        where T : unmanaged, INumber<T>
    {
        if (op == ReduceOp.Max)
        {
            for (int i = 0; i < accumulator.Length; i++)
                accumulator[i] = T.Max(accumulator[i], incoming[i]); // NaN-propagating, like torch.maximum
            return;
        }
        int j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int width = Vector<T>.Count;
            for (; j <= accumulator.Length - width; j += width)
                (new Vector<T>(accumulator[j..]) + new Vector<T>(incoming[j..])).CopyTo(accumulator[j..]);
        }
        for (; j < accumulator.Length; j++)
            accumulator[j] += incoming[j];
    }

    private static void Divide<T>(Span<T> values, T divisor)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < values.Length; i++)
            values[i] /= divisor;
    }
}
