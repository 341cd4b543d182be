using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Numeric guards shared by the mBART layers.
internal static class MBartNumerics
{
    /// transformers clamps float16 layer outputs that overflowed to ±(max - 1000); other dtypes pass through.
    public static Tensor ClampHalfOverflow(Tensor x)
    {
        if (x.dtype != ScalarType.Float16)
            return x;
        using var notFinite = x.isfinite().logical_not().any();
        if (!notFinite.item<bool>())
            return x;
        double limit = finfo(ScalarType.Float16).max - 1000;
        return x.clamp(-limit, limit);
    }
}
