using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class FeatureAugmenterTests
{
    private const int D = FeatureSpec.KeypointDim;
    private const int J = FeatureSpec.Joints;

    private static readonly AugmentationOptions All = new()
    {
        RotationDegrees = 10, Scale = 0.1, Shift = 0.1, Speed = 0.2, FrameDrop = 0.1, HandDrop = 0.3,
    };

    /// A normalised clip: present joints in [-2, 2] (z in [-0.5, 0.5]); the left hand missing (0) in frames 1–2, the
    /// right hand in frame 3 (NaN when <paramref name="nanMissing"/>, as raw data may have it); SigLIP with ⌈T/2⌉
    /// rows whose first value is the row's time in the clip (0 … 1).
    private static FeatureSample Clip(int frames = 40, int seed = 1, bool nanMissing = false, int? siglipRows = null)
    {
        var random = new Random(seed);
        float[] k = new float[frames * D];
        for (int i = 0; i < k.Length; i++)
            k[i] = i % 3 == 2 ? random.NextSingle() - 0.5f : 4 * random.NextSingle() - 2;
        for (int t = 1; t <= 2 && t < frames; t++)
            k.AsSpan((t * J + FeatureSpec.LeftHandStart) * 3, FeatureSpec.HandJoints * 3).Clear();
        if (frames > 3)
            k.AsSpan((3 * J + FeatureSpec.RightHandStart) * 3, FeatureSpec.HandJoints * 3).Fill(nanMissing ? float.NaN : 0f);
        int rows = siglipRows ?? (frames + 1) / 2;
        float[] s = new float[rows * FeatureSpec.SiglipDim];
        for (int r = 0; r < rows; r++)
        {
            for (int d = 0; d < FeatureSpec.SiglipDim; d++)
                s[r * FeatureSpec.SiglipDim + d] = random.NextSingle() - 0.5f;
            s[r * FeatureSpec.SiglipDim] = rows == 1 ? 0 : r / (float)(rows - 1);
        }
        return new FeatureSample("clip", "text", new NpyArray(k, [frames, D]), new NpyArray(s, [rows, FeatureSpec.SiglipDim]), "GLOSS");
    }

    /// A clip whose joint 0 carries its frame index in x (y = 1, so it is present), for checking the time warp.
    private static FeatureSample TimedClip(int frames, int rows)
    {
        var clip = Clip(frames, seed: 3, siglipRows: rows);
        float[] k = clip.Keypoints.Data;
        for (int t = 0; t < frames; t++)
        {
            k[t * D] = t;
            k[t * D + 1] = 1;
        }
        return clip;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    private static float Distance(float[] v, int frame, int a, int b)
    {
        float dx = v[frame * D + 3 * a] - v[frame * D + 3 * b], dy = v[frame * D + 3 * a + 1] - v[frame * D + 3 * b + 1];
        return MathF.Sqrt(dx * dx + dy * dy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Augment_EveryStrengthZero_IsBitIdentical(bool nanMissing)
    {
        var clip = Clip(nanMissing: nanMissing);

        var augmented = FeatureAugmenter.Augment(clip, AugmentationOptions.None, new Random(5));

        Assert.Equal(clip.Keypoints.Shape, augmented.Keypoints.Shape);
        Assert.Equal(clip.Siglip.Shape, augmented.Siglip.Shape);
        Assert.Equal(Bits(clip.Keypoints.Data), Bits(augmented.Keypoints.Data));
        Assert.Equal(Bits(clip.Siglip.Data), Bits(augmented.Siglip.Data));
        Assert.NotSame(clip.Keypoints.Data, augmented.Keypoints.Data);
        Assert.Equal((clip.Name, clip.Translation, clip.Orth), (augmented.Name, augmented.Translation, augmented.Orth));
    }

    [Fact]
    public void Augment_SameRandomState_SameOutput_OtherStateOtherOutput()
    {
        var clip = Clip();

        var first = FeatureAugmenter.Augment(clip, All, new Random(11));
        var again = FeatureAugmenter.Augment(clip, All, new Random(11));
        var other = FeatureAugmenter.Augment(clip, All, new Random(12));

        Assert.Equal(Bits(first.Keypoints.Data), Bits(again.Keypoints.Data));
        Assert.Equal(Bits(first.Siglip.Data), Bits(again.Siglip.Data));
        Assert.NotEqual(Bits(first.Keypoints.Data), Bits(other.Keypoints.Data));
    }

    [Fact]
    public void Augment_DoesNotChangeItsInput()
    {
        var clip = Clip();
        int[] keypoints = Bits(clip.Keypoints.Data), siglip = Bits(clip.Siglip.Data);

        FeatureAugmenter.Augment(clip, All with { HandDrop = 1 }, new Random(2));

        Assert.Equal(keypoints, Bits(clip.Keypoints.Data));
        Assert.Equal(siglip, Bits(clip.Siglip.Data));
    }

    [Fact]
    public void Augment_Spatial_KeepsShapesAndWhichJointsArePresent()
    {
        var clip = Clip(nanMissing: true);
        var options = new AugmentationOptions { RotationDegrees = 30, Scale = 0.2, Shift = 0.5 };

        var augmented = FeatureAugmenter.Augment(clip, options, new Random(4));

        Assert.Equal(clip.Keypoints.Shape, augmented.Keypoints.Shape);
        Assert.Equal(Bits(clip.Siglip.Data), Bits(augmented.Siglip.Data));
        Assert.Equal(KeypointNormalizer.Validity(clip.Keypoints.Data, 40), KeypointNormalizer.Validity(augmented.Keypoints.Data, 40));
        bool[] valid = KeypointNormalizer.Validity(clip.Keypoints.Data, 40);
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j])   // missing joints keep their exact values (zeros, or NaN)
                Assert.Equal(Bits(clip.Keypoints.Data[(3 * j)..(3 * j + 3)]), Bits(augmented.Keypoints.Data[(3 * j)..(3 * j + 3)]));
        }
        Assert.NotEqual(Bits(clip.Keypoints.Data), Bits(augmented.Keypoints.Data));
    }

    [Fact]
    public void TransformJoints_Rotation_PreservesPairwiseDistancesOfPresentPoints()
    {
        var clip = Clip(frames: 5);
        float[] v = (float[])clip.Keypoints.Data.Clone();
        bool[] valid = KeypointNormalizer.Validity(v, 5);

        FeatureAugmenter.TransformJoints(v, 5, angle: 0.4, scale: 1, shiftX: 0, shiftY: 0);

        for (int t = 0; t < 5; t++)
        {
            for (int a = 0; a < J; a++)
            {
                for (int b = a + 1; b < J; b++)
                {
                    if (valid[t * J + a] && valid[t * J + b])
                        Assert.Equal(Distance(clip.Keypoints.Data, t, a, b), Distance(v, t, a, b), 1e-4f);
                }
                if (valid[t * J + a])
                    Assert.Equal(clip.Keypoints.Data[t * D + 3 * a + 2], v[t * D + 3 * a + 2]);   // z untouched
            }
        }
        // a rotation by 0.4 rad around the origin: the angle of a point grows by 0.4
        float x0 = clip.Keypoints.Data[0], y0 = clip.Keypoints.Data[1];
        Assert.Equal(Math.Atan2(y0, x0) + 0.4, Math.Atan2(v[1], v[0]), 1e-4);
    }

    [Fact]
    public void TransformJoints_ScaleAndShift_ScaleDistancesAndMoveEveryPresentPoint()
    {
        var clip = Clip(frames: 4);
        float[] scaled = (float[])clip.Keypoints.Data.Clone(), shifted = (float[])clip.Keypoints.Data.Clone();
        bool[] valid = KeypointNormalizer.Validity(scaled, 4);

        FeatureAugmenter.TransformJoints(scaled, 4, angle: 0, scale: 1.1, shiftX: 0, shiftY: 0);
        FeatureAugmenter.TransformJoints(shifted, 4, angle: 0, scale: 1, shiftX: 0.25, shiftY: -0.5);

        Assert.Equal(1.1f * Distance(clip.Keypoints.Data, 0, 0, 40), Distance(scaled, 0, 0, 40), 1e-4f);
        for (int j = 0; j < valid.Length; j++)
        {
            if (!valid[j]) continue;
            Assert.Equal(1.1f * clip.Keypoints.Data[3 * j + 2], scaled[3 * j + 2], 1e-5f);
            Assert.Equal(clip.Keypoints.Data[3 * j] + 0.25f, shifted[3 * j], 1e-5f);
            Assert.Equal(clip.Keypoints.Data[3 * j + 1] - 0.5f, shifted[3 * j + 1], 1e-5f);
        }
    }

    [Fact]
    public void Augment_HandDrop_MakesExactlyTheHandsUntracked()
    {
        var clip = Clip();
        var options = new AugmentationOptions { HandDrop = 1 };

        var augmented = FeatureAugmenter.Augment(clip, options, new Random(8));

        bool[] before = KeypointNormalizer.Validity(clip.Keypoints.Data, 40), after = KeypointNormalizer.Validity(augmented.Keypoints.Data, 40);
        for (int t = 0; t < 40; t++)
        {
            for (int j = 0; j < J; j++)
                Assert.Equal(j < FeatureSpec.PoseJoints && before[t * J + j], after[t * J + j]);
            Assert.Equal(Bits(clip.Keypoints.Data.AsSpan(t * D, 3 * FeatureSpec.PoseJoints).ToArray()),
                Bits(augmented.Keypoints.Data.AsSpan(t * D, 3 * FeatureSpec.PoseJoints).ToArray()));
            Assert.All(augmented.Keypoints.Data.AsSpan(t * D + 3 * FeatureSpec.PoseJoints, 6 * FeatureSpec.HandJoints).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void DropHand_OneHand_ClearsOnlyItsJoints()
    {
        var clip = Clip(frames: 6);
        float[] v = (float[])clip.Keypoints.Data.Clone();

        FeatureAugmenter.DropHand(v, 6, FeatureSpec.RightHandStart);

        for (int t = 0; t < 6; t++)
        {
            for (int i = 0; i < D; i++)
            {
                bool right = i >= 3 * FeatureSpec.RightHandStart;
                Assert.Equal(right ? 0f : clip.Keypoints.Data[t * D + i], v[t * D + i]);
            }
        }
    }

    [Fact]
    public void Augment_HandDropProbability_DropsHandsAboutThatOften()
    {
        var clip = Clip(frames: 8);
        var options = new AugmentationOptions { HandDrop = 0.25 };
        int dropped = 0, trials = 400;
        for (int seed = 0; seed < trials; seed++)
        {
            var augmented = FeatureAugmenter.Augment(clip, options, new Random(seed));
            bool[] valid = KeypointNormalizer.Validity(augmented.Keypoints.Data, 8);
            dropped += valid[FeatureSpec.LeftHandStart] ? 0 : 1;   // frame 0: the left hand is present in the input
        }
        Assert.InRange(dropped / (double)trials, 0.18, 0.32);
    }

    [Theory]
    [InlineData(100, 1.2, 120)]
    [InlineData(100, 0.8, 80)]
    [InlineData(51, 1.1, 56)]
    [InlineData(1, 1.2, 1)]
    public void TimePositions_Speed_ChangesTheLengthByTheFactorAndKeepsBothEnds(int frames, double speed, int expected)
    {
        double[] positions = FeatureAugmenter.TimePositions(frames, speed, frameDrop: 0, new Random(1));

        Assert.Equal(expected, positions.Length);
        Assert.Equal(0, positions[0]);
        Assert.Equal(frames - 1, positions[^1], 1e-12);
        Assert.True(positions.Zip(positions.Skip(1)).All(p => p.Second >= p.First));
    }

    [Fact]
    public void TimePositions_FrameDrop_DropsAboutTheShareAndKeepsAtLeastOneFrame()
    {
        double[] some = FeatureAugmenter.TimePositions(1000, 1, frameDrop: 0.3, new Random(1));
        Assert.InRange(some.Length, 640, 760);
        Assert.True(some.Zip(some.Skip(1)).All(p => p.Second > p.First));
        Assert.All(some, p => Assert.Equal(Math.Floor(p), p));   // whole frames: a subsequence of the clip

        for (int seed = 0; seed < 50; seed++)
            Assert.Single(FeatureAugmenter.TimePositions(3, 1, frameDrop: 0.999, new Random(seed)));
    }

    [Fact]
    public void Augment_Speed_ResamplesBothStreamsByTheFactorAndKeepsSiglipOnTheKeypointsTimes()
    {
        var clip = TimedClip(frames: 60, rows: 30);
        var options = new AugmentationOptions { Speed = 0.2 };
        var lengths = new HashSet<int>();
        for (int seed = 0; seed < 20; seed++)
        {
            var augmented = FeatureAugmenter.Augment(clip, options, new Random(seed));
            int frames = augmented.KeypointFrames, rows = augmented.SiglipFrames;
            lengths.Add(frames);
            Assert.InRange(frames, 48, 72);
            Assert.Equal((int)Math.Round(30.0 * frames / 60, MidpointRounding.AwayFromZero), rows);
            AssertAligned(augmented, clipFrames: 60);
        }
        Assert.True(lengths.Count > 5, "the speed factor varies");
    }

    [Fact]
    public void Augment_SpeedAndFrameDrop_SiglipStaysMonotonicAndAlignedWithTheKeptKeypoints()
    {
        var clip = TimedClip(frames: 80, rows: 40);
        var options = new AugmentationOptions { Speed = 0.2, FrameDrop = 0.3 };
        for (int seed = 0; seed < 20; seed++)
        {
            var augmented = FeatureAugmenter.Augment(clip, options, new Random(seed));
            Assert.InRange(augmented.KeypointFrames, 1, 96);
            AssertAligned(augmented, clipFrames: 80);
        }
    }

    /// Keypoint frame m shows clip time x/(T−1) (joint 0's x); SigLIP row j shows clip time s_j (its first value).
    /// Under the encoder's alignment row j sits at keypoint frame j·(K−1)/(R−1); its time must be the keypoints' time
    /// there (linear between frames), so the rows stay monotonic, and the first and last rows match the first and
    /// last frames.
    private static void AssertAligned(FeatureSample augmented, int clipFrames)
    {
        int frames = augmented.KeypointFrames, rows = augmented.SiglipFrames;
        double[] keypointTime = [.. Enumerable.Range(0, frames).Select(m => augmented.Keypoints.Data[m * D] / (double)(clipFrames - 1))];
        double[] siglipTime = [.. Enumerable.Range(0, rows).Select(j => (double)augmented.Siglip.Data[j * FeatureSpec.SiglipDim])];
        Assert.True(keypointTime.Zip(keypointTime.Skip(1)).All(p => p.Second >= p.First - 1e-6), "keypoint times are monotonic");
        Assert.True(siglipTime.Zip(siglipTime.Skip(1)).All(p => p.Second >= p.First - 1e-6), "SigLIP times are monotonic");
        for (int j = 0; j < rows; j++)
        {
            double at = rows == 1 ? 0 : j * (frames - 1) / (double)(rows - 1);
            int lower = Math.Min((int)at, frames - 1), upper = Math.Min(lower + 1, frames - 1);
            double expected = keypointTime[lower] + (keypointTime[upper] - keypointTime[lower]) * (at - lower);
            Assert.Equal(expected, siglipTime[j], 1e-5);
        }
        if (rows > 1)
        {
            Assert.Equal(keypointTime[0], siglipTime[0], 1e-6);
            Assert.Equal(keypointTime[^1], siglipTime[^1], 1e-6);
        }
    }

    [Fact]
    public void ResampleKeypoints_MissingJointIsNeverInterpolated()
    {
        var clip = Clip(frames: 5);   // left hand missing in frames 1 and 2
        int x = 3 * FeatureSpec.LeftHandStart, pose = 3 * 5;
        float[] output = FeatureAugmenter.ResampleKeypoints(clip.Keypoints.Data, 5, [0.25, 0.75, 2.5, 2.75, 3.5]);
        float[] input = clip.Keypoints.Data;

        // 0.25: nearer frame 0 (present) → frame 0's joint exactly; 0.75: nearer frame 1 (missing) → missing
        Assert.Equal(input[x], output[x]);
        Assert.Equal([0f, 0f, 0f], output[(D + x)..(D + x + 3)]);
        // 2.5 rounds up to frame 3 (present); 2.75 too
        Assert.Equal(input[3 * D + x], output[2 * D + x]);
        Assert.Equal(input[3 * D + x], output[3 * D + x]);
        // joints present on both sides are interpolated linearly
        Assert.Equal(input[pose] + (input[D + pose] - input[pose]) * 0.25f, output[pose], 1e-5f);
        Assert.Equal(input[3 * D + x] + (input[4 * D + x] - input[3 * D + x]) * 0.5f, output[4 * D + x], 1e-5f);
        Assert.Equal(KeypointNormalizer.Validity(input.AsSpan(0, D), 1), KeypointNormalizer.Validity(output.AsSpan(0, D), 1));
    }

    [Fact]
    public void Augment_Everything_MissingHandsStayMissing()
    {
        // a clip whose right hand is never tracked: whatever happens, no frame gets a right hand
        var clip = Clip(frames: 30);
        for (int t = 0; t < 30; t++)
            clip.Keypoints.Data.AsSpan((t * J + FeatureSpec.RightHandStart) * 3, FeatureSpec.HandJoints * 3).Clear();
        for (int seed = 0; seed < 20; seed++)
        {
            var augmented = FeatureAugmenter.Augment(clip, All, new Random(seed));
            bool[] valid = KeypointNormalizer.Validity(augmented.Keypoints.Data, augmented.KeypointFrames);
            for (int t = 0; t < augmented.KeypointFrames; t++)
                Assert.All(Enumerable.Range(FeatureSpec.RightHandStart, FeatureSpec.HandJoints), j => Assert.False(valid[t * J + j]));
            Assert.Equal(FeatureSpec.SiglipDim, augmented.Siglip.Shape[1]);
            Assert.Equal(D, augmented.Keypoints.Shape[1]);
            Assert.Equal(augmented.Keypoints.Data.Length, augmented.KeypointFrames * D);
        }
    }

    [Fact]
    public void Augment_OneTechniqueOff_LeavesTheOthersDrawsAsTheyWere()
    {
        var clip = Clip(frames: 50);
        var withRotation = FeatureAugmenter.Augment(clip, All with { HandDrop = 0.5 }, new Random(21));
        var without = FeatureAugmenter.Augment(clip, All with { HandDrop = 0.5, RotationDegrees = 0 }, new Random(21));

        Assert.Equal(withRotation.Keypoints.Shape, without.Keypoints.Shape);                  // same speed and dropped frames
        Assert.Equal(Bits(withRotation.Siglip.Data), Bits(without.Siglip.Data));
        Assert.Equal(KeypointNormalizer.Validity(withRotation.Keypoints.Data, withRotation.KeypointFrames),
            KeypointNormalizer.Validity(without.Keypoints.Data, without.KeypointFrames));      // same hands dropped
        Assert.NotEqual(Bits(withRotation.Keypoints.Data), Bits(without.Keypoints.Data));
    }

    [Fact]
    public void Augment_ThenCollate_MasksMatchTheNewLengthsAndTheCapHolds()
    {
        var samples = new[] { Clip(frames: 60, seed: 1), Clip(frames: 20, seed: 2) }
            .Select((clip, i) => FeatureAugmenter.Augment(clip, All with { Speed = 0.5 }, new Random(i)))
            .ToList();

        using var batch = new Collator(new CollatorOptions(MaxFrames: 64)).Collate(samples);

        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(Math.Min(samples[b].KeypointFrames, 64), batch.KeypointLengths[b]);
            Assert.Equal(Math.Min(samples[b].SiglipFrames, 64), batch.SiglipLengths[b]);
            Assert.Equal(batch.KeypointLengths[b], batch.KeypointMask[b].sum().item<long>());
            Assert.Equal(batch.SiglipLengths[b], batch.SiglipMask[b].sum().item<long>());
        }
        Assert.True(batch.Keypoints.shape[1] <= 64);
    }

    [Theory]
    [InlineData(nameof(AugmentationOptions.RotationDegrees), 181)]
    [InlineData(nameof(AugmentationOptions.Scale), 1)]
    [InlineData(nameof(AugmentationOptions.Shift), -0.1)]
    [InlineData(nameof(AugmentationOptions.Speed), 1)]
    [InlineData(nameof(AugmentationOptions.FrameDrop), 1)]
    [InlineData(nameof(AugmentationOptions.HandDrop), 1.5)]
    [InlineData(nameof(AugmentationOptions.Scale), double.NaN)]
    public void Validated_OutOfRange_NamesTheStrength(string name, double value)
    {
        var options = name switch
        {
            nameof(AugmentationOptions.RotationDegrees) => new AugmentationOptions { RotationDegrees = value },
            nameof(AugmentationOptions.Scale) => new AugmentationOptions { Scale = value },
            nameof(AugmentationOptions.Shift) => new AugmentationOptions { Shift = value },
            nameof(AugmentationOptions.Speed) => new AugmentationOptions { Speed = value },
            nameof(AugmentationOptions.FrameDrop) => new AugmentationOptions { FrameDrop = value },
            _ => new AugmentationOptions { HandDrop = value },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FeatureAugmenter.Augment(Clip(frames: 4), options, new Random(1)));
        Assert.Equal(name, error.ParamName);
    }
}
