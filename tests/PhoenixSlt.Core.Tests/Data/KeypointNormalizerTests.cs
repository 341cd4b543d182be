using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class KeypointNormalizerTests
{
    private const int D = FeatureSpec.KeypointDim;

    /// Random plausible keypoints in [0.2, 0.8] (z in [-0.1, 0.1]); left hand absent (zeros) in frames 1–2,
    /// right hand NaN in frame 3.
    private static float[] Sequence(int frames, int seed, bool withShoulders = true)
    {
        var random = new Random(seed);
        float[] v = new float[frames * D];
        for (int j = 0; j < frames * FeatureSpec.Joints; j++)
        {
            v[3 * j] = 0.2f + 0.6f * random.NextSingle();
            v[3 * j + 1] = 0.2f + 0.6f * random.NextSingle();
            v[3 * j + 2] = -0.1f + 0.2f * random.NextSingle();
        }
        for (int t = 1; t <= 2 && t < frames; t++)
            SetJoints(v, t, FeatureSpec.LeftHandStart, FeatureSpec.HandJoints, 0f);
        if (frames > 3)
            SetJoints(v, 3, FeatureSpec.RightHandStart, FeatureSpec.HandJoints, float.NaN);
        if (!withShoulders)
            for (int t = 0; t < frames; t++)
                SetJoints(v, t, FeatureSpec.LeftShoulder, 2, float.NaN);
        return v;
    }

    private static void SetJoints(float[] v, int frame, int start, int count, float value)
        => v.AsSpan((frame * FeatureSpec.Joints + start) * 3, count * 3).Fill(value);

    /// x,y → k·(x,y) + (dx,dy), z → k·z for present joints; missing joints stay as they are.
    private static float[] Transform(float[] v, int frames, float k, float dx, float dy)
    {
        bool[] valid = KeypointNormalizer.Validity(v, frames);
        float[] w = (float[])v.Clone();
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j]) continue;
            w[3 * j] = k * v[3 * j] + dx;
            w[3 * j + 1] = k * v[3 * j + 1] + dy;
            w[3 * j + 2] = k * v[3 * j + 2];
        }
        return w;
    }

    [Fact]
    public void Normalize_KnownShoulders_CentresAndScalesByHand()
    {
        // shoulders at (0.4, 0.5) and (0.6, 0.5): centre (0.5, 0.5), span 0.2
        float[] v = new float[D];
        v[FeatureSpec.LeftShoulder * 3] = 0.6f; v[FeatureSpec.LeftShoulder * 3 + 1] = 0.5f;
        v[FeatureSpec.RightShoulder * 3] = 0.4f; v[FeatureSpec.RightShoulder * 3 + 1] = 0.5f;
        v[0] = 0.7f; v[1] = 0.3f; v[2] = 0.1f; // nose

        NormalizedKeypoints n = KeypointNormalizer.Normalize(v, 1);

        Assert.Equal(NormalizationReference.Shoulders, n.Reference);
        Assert.Equal(0.5f, n.CenterX, 6);
        Assert.Equal(0.2f, n.Scale, 6);
        Assert.Equal(1.0f, n.Values[0], 5);   // (0.7 - 0.5) / 0.2
        Assert.Equal(-1.0f, n.Values[1], 5);  // (0.3 - 0.5) / 0.2
        Assert.Equal(0.5f, n.Values[2], 5);   // 0.1 / 0.2
        Assert.Equal(0.5f, n.Values[FeatureSpec.LeftShoulder * 3], 5);
    }

    [Fact]
    public void Normalize_ShiftedAndScaledCopy_GivesSameResult()
    {
        float[] v = Sequence(6, seed: 1);
        float[] w = Transform(v, 6, k: 2.5f, dx: 3.0f, dy: -1.25f);

        NormalizedKeypoints a = KeypointNormalizer.Normalize(v, 6);
        NormalizedKeypoints b = KeypointNormalizer.Normalize(w, 6);

        Assert.Equal(NormalizationReference.Shoulders, a.Reference);
        Assert.Equal(a.JointValid, b.JointValid);
        for (int i = 0; i < a.Values.Length; i++)
            Assert.Equal(a.Values[i], b.Values[i], 1e-4f);
    }

    [Fact]
    public void Normalize_NoShoulders_FallsBackToJointCloudAndStaysInvariant()
    {
        float[] v = Sequence(5, seed: 2, withShoulders: false);
        float[] w = Transform(v, 5, k: 0.3f, dx: -0.4f, dy: 0.9f);

        NormalizedKeypoints a = KeypointNormalizer.Normalize(v, 5);
        NormalizedKeypoints b = KeypointNormalizer.Normalize(w, 5);

        Assert.Equal(NormalizationReference.JointCloud, a.Reference);
        Assert.All(a.Values, x => Assert.True(float.IsFinite(x)));
        for (int i = 0; i < a.Values.Length; i++)
            Assert.Equal(a.Values[i], b.Values[i], 1e-4f);
    }

    [Fact]
    public void Normalize_MissingHands_StayZeroWithoutNaN()
    {
        float[] v = Sequence(6, seed: 3);

        NormalizedKeypoints n = KeypointNormalizer.Normalize(v, 6);

        Assert.All(n.Values, x => Assert.True(float.IsFinite(x)));
        for (int j = 0; j < FeatureSpec.HandJoints; j++)
        {
            Assert.False(n.IsValid(1, FeatureSpec.LeftHandStart + j));
            Assert.False(n.IsValid(3, FeatureSpec.RightHandStart + j));
            Assert.True(n.IsValid(0, FeatureSpec.LeftHandStart + j));
        }
        Assert.All(n.Values.AsSpan((1 * FeatureSpec.Joints + FeatureSpec.LeftHandStart) * 3, 63).ToArray(), x => Assert.Equal(0f, x));
        Assert.All(n.Values.AsSpan((3 * FeatureSpec.Joints + FeatureSpec.RightHandStart) * 3, 63).ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Normalize_OneOutlierFrame_MedianIgnoresIt()
    {
        // three frames; shoulders at (0.4|0.6, 0.5) twice and at (10|12, 10) once: medians stay (0.5, 0.5) and 0.2
        float[] v = new float[3 * D];
        float[][] shoulders = [[0.4f, 0.5f, 0.6f, 0.5f], [10f, 10f, 12f, 10f], [0.4f, 0.5f, 0.6f, 0.5f]];
        for (int t = 0; t < 3; t++)
        {
            int l = (t * FeatureSpec.Joints + FeatureSpec.LeftShoulder) * 3, r = (t * FeatureSpec.Joints + FeatureSpec.RightShoulder) * 3;
            (v[l], v[l + 1], v[r], v[r + 1]) = (shoulders[t][0], shoulders[t][1], shoulders[t][2], shoulders[t][3]);
        }

        NormalizedKeypoints n = KeypointNormalizer.Normalize(v, 3);

        Assert.Equal(0.5f, n.CenterX, 6);
        Assert.Equal(0.5f, n.CenterY, 6);
        Assert.Equal(0.2f, n.Scale, 6);
    }

    [Fact]
    public void Normalize_NothingPresent_AllZero()
    {
        float[] v = new float[2 * D];
        v.AsSpan(0, D).Fill(float.NaN);

        NormalizedKeypoints n = KeypointNormalizer.Normalize(v, 2);

        Assert.Equal(NormalizationReference.None, n.Reference);
        Assert.All(n.Values, x => Assert.Equal(0f, x));
        Assert.DoesNotContain(true, n.JointValid);
    }

    [Fact]
    public void Normalize_WrongShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => KeypointNormalizer.Normalize(new NpyArray(new float[75 * 3], [75, 3])));
    }

    [Theory]
    [InlineData(new[] { 3f, 1f, 2f }, 2f)]
    [InlineData(new[] { 4f, 1f, 3f, 2f }, 2.5f)]
    public void Median_OddAndEvenCounts_MiddleValue(float[] values, float expected)
    {
        Assert.Equal(expected, KeypointNormalizer.Median([.. values]));
    }
}
