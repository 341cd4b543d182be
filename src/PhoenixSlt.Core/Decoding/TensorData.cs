using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Copies small tensors to managed arrays (one device-to-host transfer each).
internal static class TensorData
{
    public static long[] ToInt64(Tensor t)
    {
        using var cpu = t.to(ScalarType.Int64, CPU).contiguous();
        return MemoryMarshal.Cast<byte, long>(cpu.bytes).ToArray();
    }

    public static float[] ToFloat32(Tensor t)
    {
        using var cpu = t.to(ScalarType.Float32, CPU).contiguous();
        return MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }
}
