using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Linear interpolation along time, per sample, with align_corners=True semantics (torch.nn.functional.interpolate,
/// mode "linear"): target frame i of a sample with S real source frames and L real target frames reads source
/// position p = i·(S − 1)/(L − 1) (p = 0 when L = 1) and returns (1 − w)·x[⌊p⌋] + w·x[min(⌊p⌋ + 1, S − 1)] with
/// w = p − ⌊p⌋. First and last real frames map onto each other exactly. Only real source frames are ever read, so
/// padding cannot leak into the result; target frames past L, and every frame of a sample with S = 0, are 0.
/// Positions are computed in float64 so that hand-computable cases (3 → 5 frames) are exact.
public static class TemporalInterpolation
{
    /// values: (B, S_max, D); sourceLengths, targetLengths: (B) integer; returns (B, targetFrames, D).
    public static Tensor AlignCorners(Tensor values, Tensor sourceLengths, Tensor targetLengths, long targetFrames)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(sourceLengths);
        ArgumentNullException.ThrowIfNull(targetLengths);
        ArgumentOutOfRangeException.ThrowIfNegative(targetFrames);
        if (values.dim() != 3)
            throw new ArgumentException($"values must be (B, T, D); got ({Shape(values)})", nameof(values));
        long batch = values.shape[0], sourceFrames = values.shape[1], width = values.shape[2];
        if (sourceLengths.dim() != 1 || sourceLengths.shape[0] != batch)
            throw new ArgumentException($"source lengths ({Shape(sourceLengths)}) do not match values ({Shape(values)}); expected ({batch})", nameof(sourceLengths));
        if (targetLengths.dim() != 1 || targetLengths.shape[0] != batch)
            throw new ArgumentException($"target lengths ({Shape(targetLengths)}) do not match values ({Shape(values)}); expected ({batch})", nameof(targetLengths));

        using var scope = torch.NewDisposeScope();
        Device device = values.device;
        if (sourceFrames == 0)
            return torch.zeros([batch, targetFrames, width], dtype: values.dtype, device: device).MoveToOuterDisposeScope();

        Tensor source = sourceLengths.to(device).to_type(ScalarType.Int64).clamp(0, sourceFrames).unsqueeze(1); // (B, 1)
        Tensor target = targetLengths.to(device).to_type(ScalarType.Int64).unsqueeze(1);                        // (B, 1)
        Tensor lastSource = (source - 1).clamp_min(0);                                                          // (B, 1)
        Tensor frame = torch.arange(targetFrames, dtype: ScalarType.Int64, device: device).unsqueeze(0);         // (1, T)

        // p = i·(S − 1)/(L − 1): the product is an exact integer, one rounding in the division
        Tensor position = (frame * lastSource).to_type(ScalarType.Float64)
            / (target - 1).clamp_min(1).to_type(ScalarType.Float64);                                             // (B, T)
        position = torch.minimum(position, lastSource.to_type(ScalarType.Float64));                             // frames past L stay in range
        Tensor lower = position.floor().to_type(ScalarType.Int64);                                               // (B, T)
        Tensor upper = torch.minimum(lower + 1, lastSource);                                                     // (B, T)
        Tensor weight = (position - lower.to_type(ScalarType.Float64)).to_type(values.dtype).unsqueeze(-1);    // (B, T, 1)

        // (B, T) -> (B, T, D) indices into the time axis
        Tensor lowerValues = values.gather(1, lower.unsqueeze(-1).expand(batch, targetFrames, width));           // (B, T, D)
        Tensor upperValues = values.gather(1, upper.unsqueeze(-1).expand(batch, targetFrames, width));           // (B, T, D)
        Tensor result = (1.0 - weight) * lowerValues + weight * upperValues;                                     // (B, T, D)

        Tensor valid = frame.lt(target).logical_and(source.gt(0));                                               // (B, T)
        result = result.masked_fill(valid.logical_not().unsqueeze(-1), 0.0);                                     // (B, T, D)
        return result.MoveToOuterDisposeScope();
    }

    /// Real-frame counts (B) of a left-aligned mask (B, T) (true on real frames, padding at the end).
    public static Tensor LengthsFromMask(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.dim() != 2)
            throw new ArgumentException($"mask must be (B, T); got ({Shape(mask)})", nameof(mask));
        return mask.to_type(ScalarType.Int64).sum(1);
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
