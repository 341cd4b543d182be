using System.Collections.Concurrent;

namespace PhoenixSlt.Core.Data.Synthetic;

/// How the two hands take part in a sign.
internal enum HandUse { OneHanded, Symmetric, Alternating, BaseHand }

/// The citation form of a sign, derived deterministically from a hash of its gloss string (so the same
/// gloss always looks the same, in every dataset and for glosses from any corpus). Like real sign
/// phonology it combines a small inventory of parameters — handshape (possibly changing), location,
/// orientation, movement, use of the second hand — so many signs share some parameters and differ in
/// others, which keeps recognition from being trivial.
internal sealed class SignPrototype
{
    private static readonly ConcurrentDictionary<string, SignPrototype> Cache = new(StringComparer.Ordinal);

    /// Dominant-hand wrist locations in the body frame, with how often signs use them. For locations at
    /// the face the wrist is below the contact point: the fingers (about 0.45 body units) reach up to it.
    internal static readonly (Vec3 Position, double Weight)[] Locations =
    [
        (new(-0.20f, 0.30f, -0.45f), 5),   // neutral space
        (new(-0.20f, -0.20f, -0.45f), 2),  // neutral space, high
        (new(-0.20f, 0.75f, -0.35f), 1.5), // neutral space, low
        (new(-0.05f, 0.25f, -0.15f), 2),   // chest
        (new(-0.05f, -0.45f, -0.25f), 1.5),// chin
        (new(-0.05f, -0.80f, -0.30f), 1),  // forehead
        (new(-0.30f, -0.55f, -0.20f), 1),  // cheek
        (new(-0.35f, -0.70f, -0.10f), 0.7),// temple
        (new(0.30f, -0.05f, -0.10f), 0.8), // other shoulder
        (new(-0.65f, 0.25f, -0.30f), 1),   // dominant side
        (new(-0.45f, -1.05f, -0.30f), 0.5),// beside the head, high
        (new(-0.15f, 1.00f, -0.25f), 0.7), // waist
        (new(-0.05f, -0.55f, -0.30f), 1),  // mouth
    ];

    /// Palm orientations (roll, yaw) in radians.
    internal static readonly (float Roll, float Yaw)[] Orientations =
    [
        (0, 0), (-0.6f, 0), (0.5f, 0), (-1.5f, 0.2f), (0, 1.3f), (0, 2.8f), (-1.2f, 1.0f), (1.5f, 0.3f),
    ];

    /// Movement directions (unit vectors in the body frame).
    internal static readonly Vec3[] Directions =
    [
        new(1, 0, 0), new(-1, 0, 0), new(0, -1, 0), new(0, 1, 0), new(0, 0, -1), new(0, 0, 1),
        new Vec3(1, -1, 0).Normalized(), new Vec3(-1, -1, 0).Normalized(), new Vec3(1, 1, 0).Normalized(), new Vec3(0, -1, -1).Normalized(),
    ];

    public enum MovementKind { Hold, Straight, Arc, Circle, Tap, Wiggle, Twist, BackAndForth }

    public static SignPrototype For(string gloss) => Cache.GetOrAdd(gloss, g => new SignPrototype(g));

    private SignPrototype(string gloss)
    {
        Gloss = gloss;
        var r = new SynthRandom(StableHash.Of("sign/" + gloss));
        Span<double> locWeights = stackalloc double[Locations.Length];
        for (int i = 0; i < Locations.Length; i++) locWeights[i] = Locations[i].Weight;
        Location = r.PickWeighted(locWeights);
        LocationOffset = new Vec3(r.Uniform(-0.08f, 0.08f), r.Uniform(-0.08f, 0.08f), r.Uniform(-0.05f, 0.05f));
        ShapeStart = r.NextInt(Handshape.Inventory.Length);
        ShapeEnd = r.Chance(0.7) ? ShapeStart : r.NextInt(Handshape.Inventory.Length);
        Orientation = r.NextInt(Orientations.Length);
        Movement = (MovementKind)r.PickWeighted([1, 3, 2, 1.2, 1.2, 0.8, 0.8, 1.2]);
        Direction = r.NextInt(Directions.Length);
        Amplitude = r.Uniform(0.15f, 0.45f);
        Repetitions = r.NextInt(1, 4);
        Hands = (HandUse)r.PickWeighted([0.55, 0.2, 0.1, 0.15]);
        BaseShape = r.NextInt(Handshape.Inventory.Length);
        DurationFrames = r.Uniform(7.5f, 12.5f);
        Nod = r.Chance(0.3) ? r.Uniform(0.02f, 0.07f) : 0;
        SiglipStart = SiglipModel.SignVector(this, r, end: false);
        SiglipEnd = SiglipModel.SignVector(this, r, end: true);
    }

    public string Gloss { get; }
    public int Location { get; }
    public Vec3 LocationOffset { get; }
    public int ShapeStart { get; }
    public int ShapeEnd { get; }
    public int Orientation { get; }
    public MovementKind Movement { get; }
    public int Direction { get; }
    public float Amplitude { get; }
    public int Repetitions { get; }
    public HandUse Hands { get; }
    /// Handshape of the passive hand when <see cref="Hands"/> is BaseHand.
    public int BaseShape { get; }
    /// Citation duration at 25 fps before signer tempo and jitter.
    public float DurationFrames { get; }
    public float Nod { get; }
    /// Unit vectors of what the sign looks like to an image encoder at its start and end.
    public float[] SiglipStart { get; }
    public float[] SiglipEnd { get; }
}

/// How one occurrence of a sign deviates from its citation form (signer style plus per-occurrence jitter).
internal readonly record struct SignVariant(Vec3 Offset, float AmplitudeScale, HandPose ShapeJitter, float Laxness)
{
    /// Draws the deviations of one occurrence: location offset, movement size, finger configuration.
    public static SignVariant Draw(SynthRandom r, SignerProfile signer)
    {
        var jitter = new HandPose();
        for (int i = HandPose.Base; i < HandPose.Length; i++) jitter[i] = 0.06f * r.NextGaussian();
        var offset = new Vec3(0.04f * r.NextGaussian(), 0.04f * r.NextGaussian(), 0.03f * r.NextGaussian());
        return new SignVariant(offset, r.LogNormal(0.15f), jitter, signer.Laxness);
    }
}

/// Poses of both hands and the head during a sign.
internal static class SignKinematics
{
    private static readonly Vec3 BaseHandLocation = new(0.12f, 0.40f, -0.40f);

    /// Dominant (right) and passive (left) hand poses at phase p ∈ [0, 1] of a sign.
    public static void Evaluate(SignPrototype sign, in SignVariant v, SignerProfile signer, float p, out HandPose right, out HandPose left, out float nod)
    {
        var loc = SignPrototype.Locations[sign.Location].Position + sign.LocationOffset + signer.LocationBias + v.Offset;
        if (sign.Hands == HandUse.BaseHand) loc = BaseHandLocation + new Vec3(-0.05f, -0.2f, -0.05f) + sign.LocationOffset * 0.5f + v.Offset;
        float amp = sign.Amplitude * signer.Amplitude * v.AmplitudeScale;
        var dir = SignPrototype.Directions[sign.Direction];
        var (roll, yaw) = SignPrototype.Orientations[sign.Orientation];

        var path = Path(sign.Movement, dir, amp, sign.Repetitions, p, out float twist, out float wiggle);
        right = new HandPose();
        right.Wrist = loc + path;
        right[HandPose.Roll] = roll + twist;
        right[HandPose.Yaw] = yaw;
        var shape = HandPose.Lerp(ShapePose(sign.ShapeStart), ShapePose(sign.ShapeEnd), VectorMath.SmoothStep(p));
        ApplyShape(ref right, shape, v.Laxness, v.ShapeJitter, wiggle);

        left = new HandPose();
        switch (sign.Hands)
        {
            case HandUse.Symmetric:
                left = right;
                left.Wrist = right.Wrist.MirrorX();
                break;
            case HandUse.Alternating:
            {
                var alt = Path(sign.Movement, dir, amp, sign.Repetitions, (p + 0.5f) % 1f, out float twist2, out _);
                left = right;
                left.Wrist = (loc + alt).MirrorX();
                left[HandPose.Roll] = roll + twist2;
                break;
            }
            case HandUse.BaseHand:
                left.Wrist = BaseHandLocation;
                left[HandPose.Roll] = -1.4f;
                left[HandPose.Yaw] = 1.2f;
                ApplyShape(ref left, ShapePose(sign.BaseShape), v.Laxness, v.ShapeJitter, 0);
                break;
            default:
                left = RestPose(signer, left: true);
                break;
        }
        nod = sign.Nod * MathF.Sin(MathF.PI * p);
    }

    /// Hands hanging at the signer's sides (for most signers out of the frame).
    public static HandPose RestPose(SignerProfile signer, bool left)
    {
        var pose = new HandPose();
        pose.Wrist = new Vec3(left ? 0.42f : -0.42f, signer.RestHeight, -0.05f);
        pose[HandPose.Roll] = MathF.PI;
        pose[HandPose.Yaw] = 1.3f;
        pose.SetShape(Handshape.Relaxed);
        return pose;
    }

    private static HandPose ShapePose(int shape)
    {
        var pose = new HandPose();
        pose.SetShape(Handshape.Inventory[shape]);
        return pose;
    }

    private static void ApplyShape(ref HandPose dst, in HandPose shape, float laxness, in HandPose jitter, float wiggle)
    {
        var relaxed = new HandPose();
        relaxed.SetShape(Handshape.Relaxed);
        for (int i = HandPose.Base; i < HandPose.Length; i++)
        {
            float value = shape[i] + (relaxed[i] - shape[i]) * laxness + jitter[i];
            if (i >= HandPose.Distal && i < HandPose.Spread) value += wiggle * (((i - HandPose.Distal) % 2 == 0) ? 1 : -1);
            dst[i] = Math.Clamp(value, 0f, 1f);
        }
    }

    /// Displacement of the wrist from the sign's location at phase p (centred so the sign stays near it).
    private static Vec3 Path(SignPrototype.MovementKind kind, Vec3 dir, float amp, int reps, float p, out float twist, out float wiggle)
    {
        twist = 0;
        wiggle = 0;
        float tau = 2 * MathF.PI;
        // A direction perpendicular to dir for arcs and circles.
        var perp = MathF.Abs(dir.Y) > 0.9f ? new Vec3(1, 0, 0) : new Vec3(dir.Y, -dir.X, 0).Normalized();
        switch (kind)
        {
            case SignPrototype.MovementKind.Straight:
                return dir * (amp * (VectorMath.SmoothStep(p) - 0.5f));
            case SignPrototype.MovementKind.Arc:
                return dir * (amp * (VectorMath.SmoothStep(p) - 0.5f)) + perp * (0.35f * amp * MathF.Sin(MathF.PI * p));
            case SignPrototype.MovementKind.Circle:
            {
                float a = tau * p;
                return (perp * (MathF.Cos(a) - 1) + dir * MathF.Sin(a)) * (0.4f * amp);
            }
            case SignPrototype.MovementKind.Tap:
                return dir * (0.35f * amp * MathF.Abs(MathF.Sin(MathF.PI * reps * p)));
            case SignPrototype.MovementKind.Wiggle:
                wiggle = 0.25f * MathF.Sin(tau * (reps + 1) * p);
                return dir * (0.05f * amp * MathF.Sin(tau * p));
            case SignPrototype.MovementKind.Twist:
                twist = 0.6f * MathF.Sin(tau * reps * p);
                return dir * (0.1f * amp * MathF.Sin(MathF.PI * p));
            case SignPrototype.MovementKind.BackAndForth:
                return dir * (0.5f * amp * MathF.Sin(tau * reps * p));
            default:
                return dir * (0.03f * amp * MathF.Sin(tau * p));
        }
    }
}
