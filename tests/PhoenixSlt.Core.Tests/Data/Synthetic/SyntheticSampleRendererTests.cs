using PhoenixSlt.Core.Data.Synthetic;

namespace PhoenixSlt.Core.Tests.Data.Synthetic;

public class SyntheticSampleRendererTests
{
    private const int Pose = 33, Joints = 75;

    private static RenderedSample Render(string[] glosses, int signer, ulong seed)
        => SyntheticSampleRenderer.Render(glosses, signer, new SynthRandom(seed));

    [Fact]
    public void Render_Glosses_ShapesAndSiglipAtHalfRate()
    {
        var s = Render(["MORGEN", "SUED", "SONNE", "NORD", "REGEN"], 3, 1);
        Assert.Equal(s.Frames * Joints * 3, s.Keypoints.Length);
        Assert.Equal((s.Frames + 1) / 2, s.SiglipFrames);
        Assert.Equal(s.SiglipFrames * 768, s.Siglip.Length);
        Assert.Equal(s.Frames, s.FrameGloss.Length);
        Assert.Equal(3, s.Signer);
    }

    [Fact]
    public void Render_Glosses_FrameLabelsVisitEveryGlossInOrder()
    {
        string[] glosses = ["MORGEN", "SUED", "SONNE", "NORD", "REGEN"];
        var s = Render(glosses, 1, 2);
        var order = new List<int>();
        foreach (int g in s.FrameGloss)
            if (g >= 0 && (order.Count == 0 || order[^1] != g)) order.Add(g);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Equal(-1, s.FrameGloss[0]);   // starts at rest
        Assert.Equal(-1, s.FrameGloss[^1]);  // ends at rest
        // Every sign lasts at least 4 frames (25 fps ⇒ ≥ 160 ms).
        Assert.All(Enumerable.Range(0, 5), g => Assert.True(s.FrameGloss.Count(x => x == g) >= 4));
    }

    [Fact]
    public void Render_MoreGlosses_MoreFrames()
    {
        double Mean(int n) => Enumerable.Range(0, 20).Average(i => Render(Enumerable.Repeat("WETTER", n).ToArray(), 1 + i % 9, (ulong)i).Frames);
        Assert.True(Mean(8) > Mean(3) + 30);
    }

    [Fact]
    public void Render_SiglipFrames_AreUnitLength()
    {
        var s = Render(["WIND", "STARK"], 5, 3);
        for (int j = 0; j < s.SiglipFrames; j++)
        {
            double norm = Math.Sqrt(s.Siglip.AsSpan(j * 768, 768).ToArray().Sum(x => (double)x * x));
            Assert.Equal(1.0, norm, 4);
        }
    }

    [Fact]
    public void Render_Keypoints_UpperBodyAndVisibleHandsInsideTheImage()
    {
        var s = Render(["SONNE", "WOLKE", "KOMMEN", "REGEN"], 7, 4);
        for (int t = 0; t < s.Frames; t++)
        {
            // Face and shoulders (pose 0–12) are always in the picture.
            for (int j = 0; j <= 12; j++)
            {
                Assert.InRange(s.Keypoints[(t * Joints + j) * 3], 0f, 1f);
                Assert.InRange(s.Keypoints[(t * Joints + j) * 3 + 1], 0f, 1f);
                Assert.InRange(s.Keypoints[(t * Joints + j) * 3 + 2], -0.5f, 0.5f);
            }
            for (int hand = 0; hand < 2; hand++)
            {
                if (s.IsHandMissing(t, hand)) continue;
                for (int k = 0; k < 21; k++)
                {
                    int o = (t * Joints + Pose + hand * 21 + k) * 3;
                    Assert.InRange(s.Keypoints[o], -0.1f, 1.1f);
                    Assert.InRange(s.Keypoints[o + 1], -0.1f, 1.1f);
                    Assert.InRange(s.Keypoints[o + 2], -0.3f, 0.3f);
                }
            }
        }
    }

    [Fact]
    public void Render_SignerOrientation_RightShoulderOnTheImageLeft()
    {
        // MediaPipe: landmark 12 is the signer's right shoulder, which faces the camera's left.
        var s = Render(["SONNE"], 2, 5);
        Assert.True(s.Keypoints[12 * 3] < s.Keypoints[11 * 3]);
        Assert.True(s.Keypoints[0 * 3 + 1] < s.Keypoints[11 * 3 + 1]); // nose above shoulders (y grows downwards)
    }

    [Fact]
    public void Render_ManySamples_MissingHandsInBothEncodings()
    {
        int nanSamples = 0, zeroSamples = 0, missingDuringSigning = 0;
        for (int i = 0; i < 30; i++)
        {
            var s = Render(["MORGEN", "SUED", "SONNE"], 1 + i % 9, (ulong)(100 + i));
            var missing = Enumerable.Range(0, s.Frames).Where(t => s.IsHandMissing(t, 0) || s.IsHandMissing(t, 1)).ToList();
            Assert.NotEmpty(missing); // the hands start and end at rest, below the frame for most signers
            int o = (missing[0] * Joints + Pose) * 3;
            float value = s.IsHandMissing(missing[0], 0) ? s.Keypoints[o] : s.Keypoints[o + 63];
            if (float.IsNaN(value)) nanSamples++;
            else if (value == 0) zeroSamples++;
            Assert.Equal(s.MissingAsNaN, float.IsNaN(value));
            missingDuringSigning += Enumerable.Range(0, s.Frames).Count(t => s.FrameGloss[t] >= 0 && s.IsHandMissing(t, 1));
        }
        Assert.True(nanSamples > 5, $"samples with NaN hands: {nanSamples}");
        Assert.True(zeroSamples > 5, $"samples with zero hands: {zeroSamples}");
        Assert.True(missingDuringSigning > 0, "the dominant hand should sometimes be lost while signing (dropout, motion blur)");
    }

    [Fact]
    public void Render_SameInputs_SameValues()
    {
        var a = Render(["NEBEL", "DICHT"], 4, 77);
        var b = Render(["NEBEL", "DICHT"], 4, 77);
        Assert.Equal(a.Keypoints, b.Keypoints);
        Assert.Equal(a.Siglip, b.Siglip);
    }

    [Fact]
    public void Render_BadSigner_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(["SONNE"], 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(["SONNE"], 10, 1));
    }

    // ---- learnability: glosses are recognisable across signers, but not trivially ------------------------------

    private static readonly string[] Vocabulary = CollectVocabulary(60);

    private static string[] CollectVocabulary(int count)
    {
        var r = new SynthRandom(3);
        var seen = new List<string>();
        while (seen.Count < count)
            foreach (string g in WeatherGrammar.Generate(r).Glosses)
                if (!seen.Contains(g) && seen.Count < count) seen.Add(g);
        return seen.ToArray();
    }

    /// Per-frame features of in-sign frames: (gloss, signer, SigLIP vector or null, right-hand shape or null).
    private static List<(string Gloss, int Signer, float[]? Siglip, float[]? Hand)> Frames(int samplesPerSigner)
    {
        var rng = new SynthRandom(5);
        var frames = new List<(string, int, float[]?, float[]?)>();
        for (int signer = 1; signer <= 9; signer++)
            for (int rep = 0; rep < samplesPerSigner; rep++)
            {
                var glosses = Enumerable.Range(0, 6).Select(_ => Vocabulary[rng.NextInt(Vocabulary.Length)]).ToArray();
                var s = Render(glosses, signer, (ulong)(signer * 1000 + rep));
                for (int t = 0; t < s.Frames; t++)
                {
                    if (s.FrameGloss[t] < 0) continue;
                    float[]? siglip = t % 2 == 0 ? s.Siglip.AsSpan(t / 2 * 768, 768).ToArray() : null;
                    frames.Add((glosses[s.FrameGloss[t]], signer, siglip, s.IsHandMissing(t, 1) ? null : RightHand(s, t)));
                }
            }
        return frames;
    }

    /// Right-hand landmarks relative to the shoulder midpoint, in shoulder widths (removes body size and position).
    private static float[] RightHand(RenderedSample s, int t)
    {
        int o = t * Joints * 3;
        float cx = (s.Keypoints[o + 11 * 3] + s.Keypoints[o + 12 * 3]) / 2, cy = (s.Keypoints[o + 11 * 3 + 1] + s.Keypoints[o + 12 * 3 + 1]) / 2;
        float width = Math.Abs(s.Keypoints[o + 11 * 3] - s.Keypoints[o + 12 * 3]);
        var v = new float[42];
        for (int k = 0; k < 21; k++)
        {
            v[2 * k] = (s.Keypoints[o + (54 + k) * 3] - cx) / width;
            v[2 * k + 1] = (s.Keypoints[o + (54 + k) * 3 + 1] - cy) / width;
        }
        return v;
    }

    /// Nearest-centroid accuracy: centroids from signers 1–5, evaluated on frames of signers 6–9.
    private static double CrossSignerAccuracy(List<(string Gloss, float[] Vector, int Signer)> data)
    {
        var centroids = data.Where(d => d.Signer <= 5).GroupBy(d => d.Gloss).ToDictionary(
            g => g.Key,
            g => Enumerable.Range(0, g.First().Vector.Length).Select(i => g.Average(x => (double)x.Vector[i])).ToArray());
        var test = data.Where(d => d.Signer > 5 && centroids.ContainsKey(d.Gloss)).ToList();
        int correct = test.Count(d => centroids.MinBy(c => Distance(d.Vector, c.Value)).Key == d.Gloss);
        return correct / (double)test.Count;
    }

    private static double Distance(float[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }

    [Fact]
    public void Render_SiglipFrames_NearestGlossCentroidAcrossSignersWellAboveChanceButNotPerfect()
    {
        var frames = Frames(samplesPerSigner: 12);
        double accuracy = CrossSignerAccuracy(frames.Where(f => f.Siglip is not null).Select(f => (f.Gloss, f.Siglip!, f.Signer)).ToList());
        double chance = 1.0 / Vocabulary.Length;
        Assert.InRange(accuracy, 10 * chance, 0.98);
    }

    [Fact]
    public void Render_RightHandKeypoints_NearestGlossCentroidAcrossSignersWellAboveChanceButNotPerfect()
    {
        var frames = Frames(samplesPerSigner: 12);
        double accuracy = CrossSignerAccuracy(frames.Where(f => f.Hand is not null).Select(f => (f.Gloss, f.Hand!, f.Signer)).ToList());
        double chance = 1.0 / Vocabulary.Length;
        Assert.InRange(accuracy, 8 * chance, 0.95);
    }

    [Fact]
    public void Render_MeanSiglipOfAGloss_CloserAcrossSignersThanToOtherGlosses()
    {
        // Mean SigLIP vector per (gloss, signer); compare pairs from different signers only.
        var means = Frames(samplesPerSigner: 8).Where(f => f.Siglip is not null)
            .GroupBy(f => (f.Gloss, f.Signer))
            .ToDictionary(g => g.Key, g => Enumerable.Range(0, 768).Select(i => g.Average(x => (double)x.Siglip![i])).ToArray());
        double same = 0, different = 0;
        int nSame = 0, nDifferent = 0;
        foreach (var (ka, va) in means)
            foreach (var (kb, vb) in means)
            {
                if (ka.Signer >= kb.Signer) continue;
                double cos = Cosine(va, vb);
                if (ka.Gloss == kb.Gloss) { same += cos; nSame++; }
                else { different += cos; nDifferent++; }
            }
        Assert.True(nSame > 50 && nDifferent > 50);
        Assert.True(same / nSame > different / nDifferent + 0.1, $"same gloss {same / nSame:F3} vs different {different / nDifferent:F3}");
    }

    private static double Cosine(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb);
    }
}
