namespace PhoenixSlt.Core.Data.Synthetic;

/// The simulated features of one sample.
/// <param name="Frames">T, the number of keypoint frames (25 fps).</param>
/// <param name="Keypoints">(T, 75, 3) row-major: 33 pose, 21 left-hand, 21 right-hand landmarks; x, y in
/// image coordinates (0..1 inside the frame), z small relative depth. A hand the tracker lost is all NaN or
/// all zero for that frame (one convention per sample).</param>
/// <param name="SiglipFrames">T' = ceil(T / 2): SigLIP features are taken from every second frame.</param>
/// <param name="Siglip">(T', 768) row-major unit-length frame embeddings.</param>
/// <param name="FrameGloss">Per keypoint frame: index of the gloss being signed, or -1 during rest and
/// transitions.</param>
public sealed record RenderedSample(
    int Frames,
    float[] Keypoints,
    int SiglipFrames,
    float[] Siglip,
    int[] FrameGloss,
    int Signer,
    bool MissingAsNaN)
{
    /// True when the hand (0 = left, 1 = right) is missing at frame t.
    public bool IsHandMissing(int t, int hand)
    {
        int offset = (t * SyntheticSampleRenderer.Joints + SyntheticSampleRenderer.PoseJoints + hand * HandModel.Landmarks) * 3;
        for (int i = 0; i < HandModel.Landmarks * 3; i++)
        {
            float v = Keypoints[offset + i];
            if (!float.IsNaN(v) && v != 0) return false;
        }
        return true;
    }
}

/// Turns a gloss sequence into MediaPipe-holistic-like keypoints and SigLIP-like frame features.
///
/// Timeline: rest (hands down) → move in → sign₁ → transition → sign₂ … → move out → rest. Sign durations
/// are the prototype's citation duration × signer tempo × a log-normal jitter; transitions interpolate
/// the hands (smoothstep) from the end of one sign to the start of the next. Each frame's hand poses
/// drive a kinematic body: shoulders, elbows (two-bone IK), wrists, the 21 landmarks of each hand,
/// a nodding head. Then tracking effects: Gaussian landmark noise, rare hand glitches, hands lost when
/// they leave the frame, by random dropout (in bursts) and by motion blur of fast movements.
public static class SyntheticSampleRenderer
{
    public const int PoseJoints = 33;
    public const int Joints = PoseJoints + 2 * HandModel.Landmarks;
    public const int SiglipDim = SiglipModel.Dim;
    /// Keypoint frames per SigLIP frame (25 fps keypoints, 12.5 fps SigLIP).
    public const int SiglipStride = 2;

    // PHOENIX-2014-T frames are 210×260 pixels; MediaPipe normalises x by width and y by height.
    private const float FrameWidth = 210, FrameHeight = 260;
    private const float HandLength = 0.45f, UpperArm = 0.78f, Forearm = 0.70f;

    private struct FrameState
    {
        public HandPose Right, Left;
        public float Nod;
        public int Gloss;
        public int VisualFrom, VisualTo;
        public float VisualWeight;
    }

    /// Renders one sample. <paramref name="signer"/> is 1..9; the generator state decides durations,
    /// jitter, noise and tracking failures.
    public static RenderedSample Render(IReadOnlyList<string> glosses, int signer, SynthRandom rng)
    {
        ArgumentNullException.ThrowIfNull(glosses);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(signer, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(signer, SignerProfile.Count);
        var profile = SignerProfile.Get(signer);
        var signs = glosses.Select(SignPrototype.For).ToArray();
        var frames = BuildTimeline(signs, profile, rng);
        bool nan = rng.Chance(0.5);
        float[] keypoints = RenderKeypoints(frames, profile, rng, nan);
        var (siglipFrames, siglip) = RenderSiglip(frames, signs, profile, rng);
        return new RenderedSample(frames.Length, keypoints, siglipFrames, siglip, frames.Select(f => f.Gloss).ToArray(), signer, nan);
    }

    // ---- timeline -----------------------------------------------------------------------------------

    private static FrameState[] BuildTimeline(SignPrototype[] signs, SignerProfile signer, SynthRandom r)
    {
        var list = new List<FrameState>(128);
        var restR = SignKinematics.RestPose(signer, left: false);
        var restL = SignKinematics.RestPose(signer, left: true);
        int restVisual = 0; // visual 0 = rest, 1 + 2i = start of sign i, 2 + 2i = its end

        void Hold(int n)
        {
            for (int k = 0; k < n; k++)
                list.Add(new FrameState { Right = restR, Left = restL, Gloss = -1, VisualFrom = restVisual, VisualTo = restVisual });
        }

        void Move(in HandPose r0, in HandPose l0, int v0, in HandPose r1, in HandPose l1, int v1, int n)
        {
            for (int k = 0; k < n; k++)
            {
                float t = VectorMath.SmoothStep((k + 1f) / (n + 1f));
                list.Add(new FrameState
                {
                    Right = HandPose.Lerp(r0, r1, t), Left = HandPose.Lerp(l0, l1, t), Gloss = -1,
                    VisualFrom = v0, VisualTo = v1, VisualWeight = t,
                });
            }
        }

        Hold(r.NextInt(2, 7));
        HandPose prevR = restR, prevL = restL;
        int prevVisual = restVisual;
        for (int i = 0; i < signs.Length; i++)
        {
            var sign = signs[i];
            var variant = SignVariant.Draw(r, signer);
            int duration = Math.Max(4, (int)MathF.Round(sign.DurationFrames * signer.Tempo * r.LogNormal(0.2f)));
            SignKinematics.Evaluate(sign, variant, signer, 0, out var startR, out var startL, out _);
            int transition = i == 0 ? r.NextInt(4, 7) : Math.Max(1, (int)MathF.Round(r.Uniform(2, 5) * signer.Tempo));
            Move(prevR, prevL, prevVisual, startR, startL, 1 + 2 * i, transition);
            for (int k = 0; k < duration; k++)
            {
                float p = k / (duration - 1f);
                SignKinematics.Evaluate(sign, variant, signer, p, out var right, out var left, out float nod);
                list.Add(new FrameState
                {
                    Right = right, Left = left, Nod = nod, Gloss = i,
                    VisualFrom = 1 + 2 * i, VisualTo = 2 + 2 * i, VisualWeight = p,
                });
            }
            SignKinematics.Evaluate(sign, variant, signer, 1, out prevR, out prevL, out _);
            prevVisual = 2 + 2 * i;
        }
        Move(prevR, prevL, prevVisual, restR, restL, restVisual, r.NextInt(4, 7));
        Hold(r.NextInt(1, 5));
        return list.ToArray();
    }

    // ---- keypoints ----------------------------------------------------------------------------------

    private static float[] RenderKeypoints(FrameState[] frames, SignerProfile signer, SynthRandom r, bool nan)
    {
        int T = frames.Length;
        var output = new float[T * Joints * 3];
        Span<Vec3> body = stackalloc Vec3[PoseJoints];
        Span<Vec3> left = stackalloc Vec3[HandModel.Landmarks];
        Span<Vec3> right = stackalloc Vec3[HandModel.Landmarks];
        float ux = signer.ScalePixels / FrameWidth, uy = signer.ScalePixels / FrameHeight;
        float swayPhase = r.Uniform(0, 2 * MathF.PI), swayPeriod = r.Uniform(40, 90);
        float cxSample = signer.CenterX + r.Uniform(-0.015f, 0.015f), cySample = signer.ShoulderY + r.Uniform(-0.015f, 0.015f);
        float noise = signer.NoiseLevel;
        float missingValue = nan ? float.NaN : 0f;
        var lostBefore = new bool[2];
        var prevWrist = new Vec3[2];

        for (int t = 0; t < T; t++)
        {
            ref readonly var f = ref frames[t];
            float sway = MathF.Sin(swayPhase + 2 * MathF.PI * t / swayPeriod);
            float cx = cxSample + 0.006f * sway, cy = cySample;
            float hs = HandLength * signer.HandScale;
            HandModel.Landmarks21(f.Left, hs, left: true, left);
            HandModel.Landmarks21(f.Right, hs, left: false, right);
            BuildBody(f, signer, 0.02f * sway, left, right, body);

            int frameBase = t * Joints * 3;
            for (int j = 0; j < PoseJoints; j++)
            {
                float sxy = (j >= 23 ? 0.008f : 0.0025f) * noise;
                var p = body[j];
                int o = frameBase + j * 3;
                output[o] = cx + p.X * ux + sxy * r.NextGaussian();
                output[o + 1] = cy + p.Y * uy + sxy * r.NextGaussian();
                output[o + 2] = p.Z * ux + 0.01f * noise * r.NextGaussian();
            }

            for (int h = 0; h < 2; h++)
            {
                var hand = h == 0 ? left : right;
                int o = frameBase + (PoseJoints + h * HandModel.Landmarks) * 3;
                var wristImage = new Vec3(cx + hand[0].X * ux, cy + hand[0].Y * uy, 0);
                float speed = t == 0 ? 0 : (wristImage - prevWrist[h]).Length;
                prevWrist[h] = wristImage;
                bool lost = IsLost(hand, cx, cy, ux, uy, speed, signer, lostBefore[h], r);
                lostBefore[h] = lost;
                if (lost)
                {
                    output.AsSpan(o, HandModel.Landmarks * 3).Fill(missingValue);
                    continue;
                }
                bool glitch = r.Chance(0.004);
                float gx = glitch ? 0.03f * r.NextGaussian() : 0, gy = glitch ? 0.03f * r.NextGaussian() : 0;
                float zWrist = hand[0].Z;
                for (int k = 0; k < HandModel.Landmarks; k++)
                {
                    float s = (k % 4 == 0 && k > 0 ? 0.004f : 0.003f) * noise;
                    output[o + k * 3] = cx + hand[k].X * ux + gx + s * r.NextGaussian();
                    output[o + k * 3 + 1] = cy + hand[k].Y * uy + gy + s * r.NextGaussian();
                    output[o + k * 3 + 2] = (hand[k].Z - zWrist) * ux + 0.004f * noise * r.NextGaussian();
                }
            }
        }
        return output;
    }

    /// Whether the hand tracker fails on this hand in this frame: most of the hand outside the image,
    /// a random dropout (which tends to last a few frames), or motion blur when the wrist moves fast.
    private static bool IsLost(ReadOnlySpan<Vec3> hand, float cx, float cy, float ux, float uy, float speed, SignerProfile signer, bool lostBefore, SynthRandom r)
    {
        int inside = 0;
        foreach (var p in hand)
        {
            float x = cx + p.X * ux, y = cy + p.Y * uy;
            if (x is >= 0 and <= 1 && y is >= 0 and <= 1) inside++;
        }
        if (inside < 0.6f * hand.Length) return true;
        double p1 = signer.DropoutRate + Math.Max(0, speed - 0.025) * 4;
        if (lostBefore) p1 = Math.Max(p1, 0.5);
        return r.Chance(p1);
    }

    /// The 33 MediaPipe pose landmarks in the body frame (0 nose, 1–6 eyes, 7–8 ears, 9–10 mouth,
    /// 11/12 shoulders, 13/14 elbows, 15/16 wrists, 17–22 pinky/index/thumb of each hand, 23/24 hips,
    /// 25–32 knees, ankles, heels, feet; odd = the signer's left, even = right).
    private static void BuildBody(in FrameState f, SignerProfile s, float lean, ReadOnlySpan<Vec3> left, ReadOnlySpan<Vec3> right, Span<Vec3> body)
    {
        float raiseL = 0.05f * Math.Clamp((0.3f - f.Left[HandPose.Y]) / 1.5f, 0, 1);
        float raiseR = 0.05f * Math.Clamp((0.3f - f.Right[HandPose.Y]) / 1.5f, 0, 1);
        var shoulderL = new Vec3(0.5f, -s.ShoulderTilt - raiseL, 0);
        var shoulderR = new Vec3(-0.5f, s.ShoulderTilt - raiseR, 0);
        body[11] = shoulderL;
        body[12] = shoulderR;
        body[13] = Elbow(shoulderL, left[0], s.ArmScale, outward: 1);
        body[14] = Elbow(shoulderR, right[0], s.ArmScale, outward: -1);
        body[15] = left[0];
        body[16] = right[0];
        body[17] = left[17];
        body[18] = right[17];
        body[19] = left[5];
        body[20] = right[5];
        body[21] = left[3];
        body[22] = right[3];

        // Face: head size scaled around the neck, nodding forward/down, leaning with the body sway.
        ReadOnlySpan<float> face =
        [
            0, -0.90f, -0.35f, 0.06f, -0.99f, -0.30f, 0.10f, -1.00f, -0.30f, 0.14f, -0.99f, -0.28f,
            -0.06f, -0.99f, -0.30f, -0.10f, -1.00f, -0.30f, -0.14f, -0.99f, -0.28f,
            0.24f, -0.95f, -0.10f, -0.24f, -0.95f, -0.10f, 0.06f, -0.79f, -0.30f, -0.06f, -0.79f, -0.30f,
        ];
        const float neckY = -0.5f;
        float cosL = MathF.Cos(lean), sinL = MathF.Sin(lean);
        for (int j = 0; j <= 10; j++)
        {
            float x = face[3 * j] * s.HeadScale, y = neckY + (face[3 * j + 1] - neckY) * s.HeadScale, z = face[3 * j + 2] * s.HeadScale;
            float dy = y - neckY;
            y += f.Nod * 0.8f;
            z -= f.Nod * 0.6f * (-dy);
            if (j >= 9) x *= 1 + 0.2f * f.Nod;
            body[j] = new Vec3(x * cosL - dy * sinL, neckY + x * sinL + (y - neckY) * cosL, z);
        }

        // Lower body: below the frame; MediaPipe still estimates it.
        body[23] = new Vec3(0.33f, 1.55f, 0);
        body[24] = new Vec3(-0.33f, 1.55f, 0);
        body[25] = new Vec3(0.30f, 2.55f, -0.05f);
        body[26] = new Vec3(-0.30f, 2.55f, -0.05f);
        body[27] = new Vec3(0.30f, 3.45f, 0.05f);
        body[28] = new Vec3(-0.30f, 3.45f, 0.05f);
        body[29] = new Vec3(0.30f, 3.55f, 0.10f);
        body[30] = new Vec3(-0.30f, 3.55f, 0.10f);
        body[31] = new Vec3(0.34f, 3.60f, -0.10f);
        body[32] = new Vec3(-0.34f, 3.60f, -0.10f);
    }

    /// Two-bone inverse kinematics: the elbow on the circle of reachable points, bent outward and down.
    private static Vec3 Elbow(Vec3 shoulder, Vec3 wrist, float armScale, float outward)
    {
        float l1 = UpperArm * armScale, l2 = Forearm * armScale;
        var d = wrist - shoulder;
        float dist = Math.Clamp(d.Length, Math.Abs(l1 - l2) + 1e-3f, l1 + l2 - 1e-3f);
        var u = d.Normalized();
        float a = (l1 * l1 - l2 * l2 + dist * dist) / (2 * dist);
        float h = MathF.Sqrt(MathF.Max(0, l1 * l1 - a * a));
        var pole = new Vec3(0.6f * outward, 0.8f, 0.6f);
        var perp = (pole - u * Vec3.Dot(pole, u)).Normalized();
        return shoulder + u * a + perp * h;
    }

    // ---- SigLIP -------------------------------------------------------------------------------------

    private static (int Frames, float[] Values) RenderSiglip(FrameState[] frames, SignPrototype[] signs, SignerProfile signer, SynthRandom r)
    {
        const int D = SiglipModel.Dim;
        int count = (frames.Length + SiglipStride - 1) / SiglipStride;
        var output = new float[count * D];
        var session = r.UnitVector(D);
        var noise = new float[D];
        var step = new float[D];
        var sign = new float[D];
        r.FillGaussian(noise, SiglipModel.NoiseSigma);
        float innovation = MathF.Sqrt(1 - SiglipModel.NoiseCorrelation * SiglipModel.NoiseCorrelation);

        ReadOnlySpan<float> Visual(int v) => v == 0 ? SiglipModel.Rest : (v % 2 == 1 ? signs[(v - 1) / 2].SiglipStart : signs[(v - 2) / 2].SiglipEnd);

        for (int j = 0; j < count; j++)
        {
            ref readonly var f = ref frames[j * SiglipStride];
            if (j > 0)
            {
                r.FillGaussian(step, SiglipModel.NoiseSigma * innovation);
                for (int i = 0; i < D; i++) noise[i] = SiglipModel.NoiseCorrelation * noise[i] + step[i];
            }
            Array.Clear(sign);
            VectorMath.AddScaled(sign, Visual(f.VisualFrom), 1 - f.VisualWeight);
            VectorMath.AddScaled(sign, Visual(f.VisualTo), f.VisualWeight);
            VectorMath.Normalize(sign);

            var dst = output.AsSpan(j * D, D);
            var a = signer.Appearance;
            for (int i = 0; i < D; i++)
                dst[i] = SiglipModel.AppearanceWeight * a[i] + SiglipModel.SessionWeight * session[i] + SiglipModel.SignWeight * sign[i] + noise[i];
            VectorMath.Normalize(dst);
        }
        return (count, output);
    }
}
