using System.Runtime.CompilerServices;

namespace PhoenixSlt.Core.Data.Synthetic;

/// A point in the signer's body frame: origin between the shoulders, unit = shoulder width,
/// x towards the image's right (the signer's left), y down, z towards the camera negative
/// (MediaPipe's depth convention).
internal readonly record struct Vec3(float X, float Y, float Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec3 operator *(Vec3 a, float s) => new(a.X * s, a.Y * s, a.Z * s);
    public float Length => MathF.Sqrt(X * X + Y * Y + Z * Z);
    public Vec3 Normalized() { float l = Length; return l > 1e-6f ? this * (1 / l) : new Vec3(0, 1, 0); }
    public static float Dot(Vec3 a, Vec3 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public Vec3 MirrorX() => new(-X, Y, Z);
    public static Vec3 Lerp(Vec3 a, Vec3 b, float t) => a + (b - a) * t;
}

/// The articulatory state of one hand, as a flat vector so that transitions are plain interpolations:
/// wrist position (body frame), in-plane roll and palm yaw (radians), finger base and distal flexion
/// (thumb, index, middle, ring, pinky; 0 = extended, 1 = fully curled), finger spread, thumb opposition.
[InlineArray(Length)]
internal struct HandPose
{
    public const int Length = 17;
    public const int X = 0, Y = 1, Z = 2, Roll = 3, Yaw = 4, Base = 5, Distal = 10, Spread = 15, Opposition = 16;

    private float _element0;

    public Vec3 Wrist
    {
        readonly get => new(this[X], this[Y], this[Z]);
        set { this[X] = value.X; this[Y] = value.Y; this[Z] = value.Z; }
    }

    public static HandPose Lerp(in HandPose a, in HandPose b, float t)
    {
        var r = new HandPose();
        for (int i = 0; i < Length; i++) r[i] = a[i] + (b[i] - a[i]) * t;
        return r;
    }

    /// Copies the finger configuration (not position or orientation) of a handshape.
    public void SetShape(in Handshape shape)
    {
        for (int f = 0; f < 5; f++)
        {
            this[Base + f] = shape.Base[f];
            this[Distal + f] = shape.Distal[f];
        }
        this[Spread] = shape.Spread;
        this[Opposition] = shape.Opposition;
    }
}

/// A handshape: finger flexions plus spread and thumb opposition (see <see cref="HandPose"/>).
internal sealed record Handshape(string Name, float[] Base, float[] Distal, float Spread, float Opposition)
{
    /// The handshape inventory used by sign prototypes (names follow common sign-phonology labels).
    public static readonly Handshape[] Inventory =
    [
        new("B", [0.2f, 0, 0, 0, 0], [0.1f, 0, 0, 0, 0], 0.1f, 0.3f),
        new("5", [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], 1f, 0f),
        new("A", [0.1f, 1, 1, 1, 1], [0.1f, 1, 1, 1, 1], 0f, 0.1f),
        new("S", [0.6f, 1, 1, 1, 1], [0.5f, 1, 1, 1, 1], 0f, 0.8f),
        new("1", [0.6f, 0, 1, 1, 1], [0.5f, 0, 1, 1, 1], 0f, 0.8f),
        new("V", [0.6f, 0, 0, 1, 1], [0.5f, 0, 0, 1, 1], 0.8f, 0.8f),
        new("W", [0.6f, 0, 0, 0, 1], [0.6f, 0, 0, 0, 1], 0.8f, 0.9f),
        new("4", [0.7f, 0, 0, 0, 0], [0.7f, 0, 0, 0, 0], 0.5f, 0.9f),
        new("Y", [0, 1, 1, 1, 0], [0, 1, 1, 1, 0], 1f, 0f),
        new("L", [0, 0, 1, 1, 1], [0, 0, 1, 1, 1], 1f, 0f),
        new("C", [0.2f, 0.4f, 0.4f, 0.4f, 0.4f], [0.3f, 0.5f, 0.5f, 0.5f, 0.5f], 0.2f, 0.4f),
        new("O", [0.4f, 0.6f, 0.6f, 0.6f, 0.6f], [0.4f, 0.8f, 0.8f, 0.8f, 0.8f], 0f, 0.7f),
        new("bent-B", [0.2f, 0.9f, 0.9f, 0.9f, 0.9f], [0.1f, 0, 0, 0, 0], 0f, 0.3f),
        new("F", [0.4f, 0.6f, 0, 0, 0], [0.4f, 0.8f, 0, 0, 0], 0.6f, 0.7f),
        new("I", [0.6f, 1, 1, 1, 0], [0.5f, 1, 1, 1, 0], 0f, 0.8f),
        new("X", [0.6f, 0.3f, 1, 1, 1], [0.5f, 1, 1, 1, 1], 0f, 0.8f),
        new("3", [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], 0.8f, 0f),
        new("claw", [0.2f, 0.2f, 0.2f, 0.2f, 0.2f], [0.3f, 0.9f, 0.9f, 0.9f, 0.9f], 0.8f, 0.2f),
    ];

    /// The relaxed hand of a resting arm.
    public static readonly Handshape Relaxed = new("relaxed", [0.2f, 0.3f, 0.35f, 0.4f, 0.45f], [0.2f, 0.3f, 0.35f, 0.4f, 0.45f], 0.3f, 0.2f);
}

/// Forward kinematics of the 21 MediaPipe hand landmarks (0 wrist; 1–4 thumb CMC, MCP, IP, tip;
/// 5–8 index MCP, PIP, DIP, tip; 9–12 middle; 13–16 ring; 17–20 pinky) from a <see cref="HandPose"/>.
internal static class HandModel
{
    public const int Landmarks = 21;

    // Palm-local geometry of a right hand (fingers up = -y, palm facing the camera, thumb towards +x),
    // in units of the wrist-to-middle-fingertip length.
    private static readonly Vec3[] FingerBase = [new(0.13f, -0.48f, 0), new(0.03f, -0.50f, 0), new(-0.07f, -0.47f, 0), new(-0.16f, -0.42f, 0)];
    private static readonly float[][] FingerSegments = [[0.22f, 0.13f, 0.10f], [0.24f, 0.15f, 0.11f], [0.22f, 0.14f, 0.10f], [0.17f, 0.11f, 0.09f]];
    private static readonly float[] SpreadAngle = [0.16f, 0.02f, -0.12f, -0.26f];
    private static readonly Vec3 ThumbBase = new(0.10f, -0.10f, -0.03f);
    private static readonly float[] ThumbSegments = [0.20f, 0.16f, 0.13f];

    /// Writes the 21 landmarks in the body frame. <paramref name="size"/> is the hand length in body units;
    /// a left hand is the mirror image of the right-hand computation.
    public static void Landmarks21(in HandPose pose, float size, bool left, Span<Vec3> dst)
    {
        float roll = pose[HandPose.Roll], yaw = pose[HandPose.Yaw];
        float cr = MathF.Cos(roll), sr = MathF.Sin(roll), cy = MathF.Cos(yaw), sy = MathF.Sin(yaw);
        Vec3 wrist = pose.Wrist;
        Vec3 Place(Vec3 p)
        {
            // yaw about the hand's long axis (y), then roll in the image plane (z), then scale and mirror.
            float x1 = p.X * cy + p.Z * sy, z1 = -p.X * sy + p.Z * cy;
            float x2 = x1 * cr - p.Y * sr, y2 = x1 * sr + p.Y * cr;
            var local = new Vec3(left ? -x2 : x2, y2, z1) * size;
            return wrist + local;
        }

        dst[0] = wrist;
        float spread = pose[HandPose.Spread];
        for (int f = 0; f < 4; f++)
        {
            float b = pose[HandPose.Base + 1 + f], d = pose[HandPose.Distal + 1 + f];
            float s = SpreadAngle[f] * spread;
            float a1 = 1.5f * b, a2 = a1 + 1.6f * d, a3 = a2 + 1.0f * d;
            var p = FingerBase[f];
            int idx = 5 + 4 * f;
            dst[idx] = Place(p);
            p += Direction(a1, s) * FingerSegments[f][0];
            dst[idx + 1] = Place(p);
            p += Direction(a2, s) * FingerSegments[f][1];
            dst[idx + 2] = Place(p);
            p += Direction(a3, s) * FingerSegments[f][2];
            dst[idx + 3] = Place(p);
        }

        float opp = pose[HandPose.Opposition];
        float theta = 0.95f - 0.75f * opp, depth = 0.25f + 0.8f * opp;
        float t2 = theta - 0.9f * pose[HandPose.Base], t3 = t2 - 0.9f * pose[HandPose.Distal];
        var q = ThumbBase;
        dst[1] = Place(q);
        q += ThumbDirection(theta, depth) * ThumbSegments[0];
        dst[2] = Place(q);
        q += ThumbDirection(t2, depth) * ThumbSegments[1];
        dst[3] = Place(q);
        q += ThumbDirection(t3, depth) * ThumbSegments[2];
        dst[4] = Place(q);
    }

    // A finger segment bent by `a` towards the palm side (camera, -z), spread by `s` in the palm plane.
    private static Vec3 Direction(float a, float s) => new(MathF.Sin(s) * MathF.Cos(a), -MathF.Cos(s) * MathF.Cos(a), -MathF.Sin(a));

    private static Vec3 ThumbDirection(float theta, float depth)
        => new(MathF.Sin(theta) * MathF.Cos(depth), -MathF.Cos(theta) * MathF.Cos(depth), -MathF.Sin(depth));
}
