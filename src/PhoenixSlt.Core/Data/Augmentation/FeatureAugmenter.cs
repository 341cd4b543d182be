namespace PhoenixSlt.Core.Data.Augmentation;

/// Training-time augmentation of one clip: a pure function of the clip's features, the strengths and a
/// <see cref="Random"/>, returning an augmented copy (the input is never changed).
/// <para>The keypoints are expected as <see cref="KeypointNormalizer"/> leaves them: the origin is the skeleton's
/// centre (the median shoulder midpoint), the unit the median shoulder span, and a missing joint is (0, 0, 0) — raw
/// NaN joints count as missing too (<see cref="KeypointNormalizer.Validity"/>). Missing joints are never moved,
/// interpolated or filled in: they stay exactly as they were.</para>
/// <para>Steps, in order:</para>
/// <list type="number">
/// <item>Time warp of both streams (<see cref="TimePositions"/>): speed jitter resamples the clip to r·T keypoint
/// frames (r uniform in 1 ± speed, linear interpolation, first and last frames kept), then frame drop removes each
/// frame with its probability (at least one frame stays). The SigLIP rows are resampled through the same warp
/// (<see cref="ResampleSiglip"/>), so that under the encoder's alignment (first and last SigLIP rows on the first and
/// last keypoint frames, linear in between) every row still shows the moment of the keypoints it is aligned with;
/// the ratio T'/T is kept.</item>
/// <item>Hand drop: per clip and hand, with its probability, the hand's 21 joints become (0, 0, 0) — untracked —
/// in every frame (<see cref="DropHand"/>).</item>
/// <item>Rotation (in the x–y plane, around the origin), scale (x, y and z) and shift (x, y) of the present joints,
/// one transform per clip (<see cref="TransformJoints"/>).</item>
/// </list>
/// <para>Random draws: the clip-level values are drawn first in a fixed order whatever the strengths — angle,
/// scale, shift x, shift y, speed, left hand, right hand — then one draw per frame for frame drop. Switching one
/// technique off therefore leaves the others' values unchanged, and the same Random state gives the same output.
/// With every strength 0 the output is bit-identical to the input.</para>
public static class FeatureAugmenter
{
    public static FeatureSample Augment(FeatureSample sample, AugmentationOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validated();
        NpyArray keypoints = sample.Keypoints, siglip = sample.Siglip;
        if (keypoints.Rank != 2 || keypoints.Shape[1] != FeatureSpec.KeypointDim)
            throw new ArgumentException($"keypoints must have shape (T, {FeatureSpec.KeypointDim}); got {keypoints.ShapeText}", nameof(sample));
        if (siglip.Rank != 2)
            throw new ArgumentException($"SigLIP features must have shape (T', D); got {siglip.ShapeText}", nameof(sample));

        double angle = Symmetric(random, options.RotationDegrees) * (Math.PI / 180);
        double scale = 1 + Symmetric(random, options.Scale);
        double shiftX = Symmetric(random, options.Shift), shiftY = Symmetric(random, options.Shift);
        double speed = 1 + Symmetric(random, options.Speed);
        bool dropLeft = random.NextDouble() < options.HandDrop;
        bool dropRight = random.NextDouble() < options.HandDrop;

        int frames = keypoints.Shape[0], rows = siglip.Shape[0], dim = siglip.Shape[1];
        float[] points, embeddings;
        double[] positions = TimePositions(frames, speed, options.FrameDrop, random);
        if (IsIdentity(positions, frames) || rows == 0)
        {
            points = (float[])keypoints.Data.Clone();
            embeddings = (float[])siglip.Data.Clone();
        }
        else
        {
            points = ResampleKeypoints(keypoints.Data, frames, positions);
            embeddings = ResampleSiglip(siglip.Data, rows, dim, frames, positions);
            frames = positions.Length;
            rows = embeddings.Length / dim;
        }

        if (dropLeft)
            DropHand(points, frames, FeatureSpec.LeftHandStart);
        if (dropRight)
            DropHand(points, frames, FeatureSpec.RightHandStart);
        if (options.MovesJoints)
            TransformJoints(points, frames, angle, scale, shiftX, shiftY);

        return sample with
        {
            Keypoints = new NpyArray(points, [frames, FeatureSpec.KeypointDim]),
            Siglip = new NpyArray(embeddings, [rows, dim]),
        };
    }

    /// The source position (a fractional keypoint frame in [0, frames − 1]) of every output frame: speed jitter
    /// spreads round(frames · <paramref name="speed"/>) frames evenly from the first to the last frame (unless
    /// <paramref name="speed"/> is 1), then each of them is dropped with probability <paramref name="frameDrop"/>
    /// (one draw per frame; when all are dropped one of them, drawn at random, stays). Non-decreasing.
    public static double[] TimePositions(int frames, double speed, double frameDrop, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentNullException.ThrowIfNull(random);
        if (!(speed > 0) || !double.IsFinite(speed))
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "the speed factor must be a positive number");
        double[] positions;
        if (speed != 1 && frames > 0)
        {
            int length = Math.Max(1, (int)Math.Round(frames * speed, MidpointRounding.AwayFromZero));
            positions = new double[length];
            for (int k = 0; k < length; k++)
                positions[k] = length == 1 ? 0 : k * (double)(frames - 1) / (length - 1);
        }
        else
        {
            positions = new double[frames];
            for (int k = 0; k < frames; k++)
                positions[k] = k;
        }
        if (frameDrop <= 0 || positions.Length == 0)
            return positions;
        var kept = new List<double>(positions.Length);
        foreach (double position in positions)
        {
            if (random.NextDouble() >= frameDrop)
                kept.Add(position);
        }
        if (kept.Count == 0)
            kept.Add(positions[random.Next(positions.Length)]);
        return [.. kept];
    }

    /// Keypoints (frames, 225) sampled at <paramref name="positions"/>: a joint present in both neighbouring frames
    /// is interpolated linearly; otherwise the joint of the nearer frame is copied as it is (missing stays missing,
    /// and no value is made up between a present and a missing joint). Whole positions copy their frame exactly.
    public static float[] ResampleKeypoints(ReadOnlySpan<float> values, int frames, IReadOnlyList<double> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        const int Dim = FeatureSpec.KeypointDim, Joints = FeatureSpec.Joints;
        if (values.Length != frames * Dim)
            throw new ArgumentException($"expected {frames} x {Dim} values, got {values.Length}", nameof(values));
        bool[] valid = KeypointNormalizer.Validity(values, frames);
        float[] output = new float[positions.Count * Dim];
        for (int m = 0; m < positions.Count; m++)
        {
            var (i0, i1, w) = Neighbours(positions[m], frames);
            Span<float> target = output.AsSpan(m * Dim, Dim);
            if (w == 0)
            {
                values.Slice(i0 * Dim, Dim).CopyTo(target);
                continue;
            }
            for (int j = 0; j < Joints; j++)
            {
                int c = 3 * j;
                if (valid[i0 * Joints + j] && valid[i1 * Joints + j])
                {
                    for (int k = 0; k < 3; k++)
                    {
                        double a = values[i0 * Dim + c + k], b = values[i1 * Dim + c + k];
                        target[c + k] = (float)(a + (b - a) * w);
                    }
                }
                else
                {
                    int nearest = w < 0.5 ? i0 : i1;
                    values.Slice(nearest * Dim + c, 3).CopyTo(target.Slice(c, 3));
                }
            }
        }
        return output;
    }

    /// The SigLIP rows (rows, dim) resampled consistently with keypoints warped to <paramref name="positions"/>
    /// (source positions of the new keypoint frames among <paramref name="keypointFrames"/>): the new stream has
    /// round(rows · K / keypointFrames) rows (at least 1) for K = positions.Count, so the rate ratio stays; new row j
    /// is aligned with the fractional new keypoint frame j·(K − 1)/(rows' − 1), whose source keypoint time (positions
    /// interpolated linearly) gives the source SigLIP position under the same first-and-last alignment; rows are
    /// interpolated linearly (whole positions copy their row exactly).
    public static float[] ResampleSiglip(ReadOnlySpan<float> values, int rows, int dim, int keypointFrames, IReadOnlyList<double> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keypointFrames);
        if (values.Length != rows * dim)
            throw new ArgumentException($"expected {rows} x {dim} values, got {values.Length}", nameof(values));
        int frames = positions.Count;
        if (frames == 0)
            throw new ArgumentException("the warp keeps no frame", nameof(positions));
        int newRows = Math.Max(1, (int)Math.Round(rows * (double)frames / keypointFrames, MidpointRounding.AwayFromZero));
        float[] output = new float[newRows * dim];
        for (int j = 0; j < newRows; j++)
        {
            double alignedFrame = newRows == 1 ? 0 : j * (double)(frames - 1) / (newRows - 1);
            var (k0, k1, f) = Neighbours(alignedFrame, frames);
            double source = positions[k0] + (positions[k1] - positions[k0]) * f;
            double time = keypointFrames == 1 ? 0 : source / (keypointFrames - 1);
            var (r0, r1, g) = Neighbours(time * (rows - 1), rows);
            Span<float> target = output.AsSpan(j * dim, dim);
            if (g == 0)
            {
                values.Slice(r0 * dim, dim).CopyTo(target);
                continue;
            }
            for (int d = 0; d < dim; d++)
            {
                double a = values[r0 * dim + d], b = values[r1 * dim + d];
                target[d] = (float)(a + (b - a) * g);
            }
        }
        return output;
    }

    /// Makes the hand whose first joint is <paramref name="firstJoint"/> (<see cref="FeatureSpec.LeftHandStart"/> or
    /// <see cref="FeatureSpec.RightHandStart"/>) untracked in every frame: its joints become (0, 0, 0), the value of a
    /// missing joint after normalisation.
    public static void DropHand(Span<float> values, int frames, int firstJoint)
    {
        if (firstJoint != FeatureSpec.LeftHandStart && firstJoint != FeatureSpec.RightHandStart)
            throw new ArgumentOutOfRangeException(nameof(firstJoint), firstJoint, "not the first joint of a hand");
        for (int t = 0; t < frames; t++)
            values.Slice(t * FeatureSpec.KeypointDim + 3 * firstJoint, 3 * FeatureSpec.HandJoints).Clear();
    }

    /// Rotates the present joints by <paramref name="angle"/> radians around the origin in the x–y plane, scales
    /// x, y and z by <paramref name="scale"/> and shifts x and y; missing joints are left exactly as they are.
    public static void TransformJoints(Span<float> values, int frames, double angle, double scale, double shiftX, double shiftY)
    {
        bool[] valid = KeypointNormalizer.Validity(values, frames);
        double cos = Math.Cos(angle) * scale, sin = Math.Sin(angle) * scale;
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j])
                continue;
            int o = 3 * j;
            double x = values[o], y = values[o + 1];
            values[o] = (float)(cos * x - sin * y + shiftX);
            values[o + 1] = (float)(sin * x + cos * y + shiftY);
            values[o + 2] = (float)(values[o + 2] * scale);
        }
    }

    /// Uniform in ±<paramref name="strength"/> (one draw, also when the strength is 0).
    private static double Symmetric(Random random, double strength) => (2 * random.NextDouble() - 1) * strength;

    private static bool IsIdentity(double[] positions, int frames)
    {
        if (positions.Length != frames)
            return false;
        for (int k = 0; k < frames; k++)
        {
            if (positions[k] != k)
                return false;
        }
        return true;
    }

    // The frames around a fractional position in [0, length − 1] and the weight of the later one.
    private static (int Lower, int Upper, double Weight) Neighbours(double position, int length)
    {
        double clamped = Math.Clamp(position, 0, length - 1);
        int lower = Math.Min((int)Math.Floor(clamped), length - 1);
        int upper = Math.Min(lower + 1, length - 1);
        double weight = upper == lower ? 0 : clamped - lower;
        return (lower, upper, weight);
    }
}
