namespace PhoenixSlt.Core.Data;

/// What a sequence was normalised against.
public enum NormalizationReference
{
    /// Median shoulder midpoint and median shoulder span over the frames where both shoulders are present.
    Shoulders,

    /// Fallback when no frame has both shoulders: mean and RMS spread (in x/y) of every present joint.
    JointCloud,

    /// Nothing present at all: every value is 0.
    None,
}

/// Normalised keypoints of one sequence: values (T, 225) with missing joints set to 0, and the validity of each
/// joint (T, 75).
public sealed record NormalizedKeypoints(
    float[] Values,
    bool[] JointValid,
    int Frames,
    NormalizationReference Reference,
    float CenterX,
    float CenterY,
    float Scale)
{
    public NpyArray ToArray() => new(Values, [Frames, FeatureSpec.KeypointDim]);

    public bool IsValid(int frame, int joint) => JointValid[frame * FeatureSpec.Joints + joint];
}

/// Per-sequence keypoint normalisation, which makes the features independent of where the signer stands and of
/// the camera distance:
/// <list type="number">
/// <item>A joint is missing when any coordinate is NaN/±Inf or all three are exactly 0 (MediaPipe's two ways of
/// reporting an undetected hand).</item>
/// <item>Reference: over the frames where both shoulders (pose 11 and 12) are present and apart, the centre is
/// the per-axis median of the shoulder midpoints and the scale the median shoulder span (x/y distance). One
/// transform for the whole sequence keeps the signer's motion relative to the body and ignores single bad frames.
/// </item>
/// <item>Fallback when no frame qualifies: the centre is the mean x/y of all present joints and the scale their
/// root-mean-square x/y distance from it; when no joint is present (or the spread is 0), everything becomes 0.
/// </item>
/// <item>Present joints map to ((x − cx)/s, (y − cy)/s, z/s) — z is already relative in MediaPipe, so it is only
/// scaled — and missing joints to (0, 0, 0).</item>
/// </list>
/// The result is invariant to translating x/y and to scaling x/y/z by a positive factor.
public static class KeypointNormalizer
{
    /// Spreads at or below this are treated as degenerate (all joints on one point).
    public const float MinScale = 1e-6f;

    public static NormalizedKeypoints Normalize(NpyArray keypoints)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        if (keypoints.Rank != 2 || keypoints.Shape[1] != FeatureSpec.KeypointDim)
            throw new ArgumentException($"keypoints must have shape (T, {FeatureSpec.KeypointDim}); got {keypoints.ShapeText}", nameof(keypoints));
        return Normalize(keypoints.Data, keypoints.Shape[0]);
    }

    /// <param name="values">(T, 225) in C order</param>
    public static NormalizedKeypoints Normalize(ReadOnlySpan<float> values, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (values.Length != frames * FeatureSpec.KeypointDim)
            throw new ArgumentException($"expected {frames} x {FeatureSpec.KeypointDim} values, got {values.Length}", nameof(values));

        bool[] valid = Validity(values, frames);
        var (reference, cx, cy, scale) = ShoulderReference(values, valid, frames) ?? JointCloudReference(values, valid, frames);

        float[] output = new float[values.Length];
        if (reference != NormalizationReference.None)
        {
            for (int j = 0; j < valid.Length; j++)
            {
                if (!valid[j])
                    continue;
                int o = j * FeatureSpec.CoordsPerJoint;
                output[o] = (values[o] - cx) / scale;
                output[o + 1] = (values[o + 1] - cy) / scale;
                output[o + 2] = values[o + 2] / scale;
            }
        }
        return new NormalizedKeypoints(output, valid, frames, reference, cx, cy, scale);
    }

    /// Per frame and joint (T, 75): true when all three coordinates are finite and not all zero.
    public static bool[] Validity(ReadOnlySpan<float> values, int frames)
    {
        bool[] valid = new bool[frames * FeatureSpec.Joints];
        for (int j = 0; j < valid.Length; j++)
        {
            float x = values[3 * j], y = values[3 * j + 1], z = values[3 * j + 2];
            valid[j] = float.IsFinite(x) && float.IsFinite(y) && float.IsFinite(z) && !(x == 0 && y == 0 && z == 0);
        }
        return valid;
    }

    private static (NormalizationReference, float, float, float)? ShoulderReference(ReadOnlySpan<float> values, bool[] valid, int frames)
    {
        var mx = new List<float>();
        var my = new List<float>();
        var span = new List<float>();
        for (int t = 0; t < frames; t++)
        {
            int l = t * FeatureSpec.Joints + FeatureSpec.LeftShoulder, r = t * FeatureSpec.Joints + FeatureSpec.RightShoulder;
            if (!valid[l] || !valid[r])
                continue;
            float lx = values[3 * l], ly = values[3 * l + 1], rx = values[3 * r], ry = values[3 * r + 1];
            float s = MathF.Sqrt((lx - rx) * (lx - rx) + (ly - ry) * (ly - ry));
            if (s <= MinScale)
                continue;
            mx.Add((lx + rx) / 2);
            my.Add((ly + ry) / 2);
            span.Add(s);
        }
        if (span.Count == 0)
            return null;
        return (NormalizationReference.Shoulders, Median(mx), Median(my), Median(span));
    }

    private static (NormalizationReference, float, float, float) JointCloudReference(ReadOnlySpan<float> values, bool[] valid, int frames)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j]) continue;
            sx += values[3 * j];
            sy += values[3 * j + 1];
            n++;
        }
        if (n == 0)
            return (NormalizationReference.None, 0, 0, 1);
        double cx = sx / n, cy = sy / n, ss = 0;
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j]) continue;
            double dx = values[3 * j] - cx, dy = values[3 * j + 1] - cy;
            ss += dx * dx + dy * dy;
        }
        float rms = (float)Math.Sqrt(ss / n);
        return rms <= MinScale
            ? (NormalizationReference.None, (float)cx, (float)cy, 1)
            : (NormalizationReference.JointCloud, (float)cx, (float)cy, rms);
    }

    /// Median (mean of the two middle values for an even count).
    public static float Median(List<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException("median of no values", nameof(values));
        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
