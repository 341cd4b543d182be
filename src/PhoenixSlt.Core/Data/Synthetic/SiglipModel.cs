namespace PhoenixSlt.Core.Data.Synthetic;

/// The simulated SigLIP ViT-B/16 frame embedding (768-d). A real image embedding of a PHOENIX frame is
/// dominated by who is signing and how the studio looks, with the sign itself a smaller part; consecutive
/// frames are highly correlated. The simulation mirrors that:
/// <code>
/// f = normalize(1.0·signer appearance + 0.35·session + 0.75·sign(t) + noise(t))
/// sign(t) = normalize((1 − w)·from + w·to)      (start → end of a sign, or end → next start in a transition)
/// noise(t) = 0.8·noise(t−1) + 0.6·N(0, σ²·I),  σ = 0.06 per dimension
/// </code>
/// A sign's start/end vectors add shared components for its handshape, location, movement and use of
/// the second hand to a gloss-specific part, so phonologically similar signs have similar features.
internal static class SiglipModel
{
    public const int Dim = 768;
    public const float AppearanceWeight = 1.0f;
    public const float SessionWeight = 0.35f;
    public const float SignWeight = 0.75f;
    public const float NoiseSigma = 0.06f;
    public const float NoiseCorrelation = 0.8f;

    private static readonly float[][] HandshapeBank = Bank("handshape", Handshape.Inventory.Length);
    private static readonly float[][] LocationBank = Bank("location", SignPrototype.Locations.Length);
    private static readonly float[][] MovementBank = Bank("movement", 8);
    private static readonly float[][] HandUseBank = Bank("hands", 4);

    /// What resting hands (no sign) look like.
    public static readonly float[] Rest = SynthRandom.For("siglip/rest").UnitVector(Dim);

    private static float[][] Bank(string name, int count)
        => Enumerable.Range(0, count).Select(i => SynthRandom.For("siglip/" + name, i).UnitVector(Dim)).ToArray();

    public static float[] SignVector(SignPrototype sign, SynthRandom r, bool end)
    {
        var v = new float[Dim];
        VectorMath.AddScaled(v, HandshapeBank[end ? sign.ShapeEnd : sign.ShapeStart], 1.0f);
        VectorMath.AddScaled(v, LocationBank[sign.Location], 0.8f);
        VectorMath.AddScaled(v, MovementBank[(int)sign.Movement], 0.5f);
        VectorMath.AddScaled(v, HandUseBank[(int)sign.Hands], 0.5f);
        VectorMath.AddScaled(v, r.UnitVector(Dim), 0.9f);
        VectorMath.Normalize(v);
        return v;
    }
}
