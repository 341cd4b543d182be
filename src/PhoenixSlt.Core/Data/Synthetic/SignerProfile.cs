namespace PhoenixSlt.Core.Data.Synthetic;

/// One of the nine synthetic signers (Signer01..Signer09, like the real corpus). A signer is fixed —
/// derived from a hash of its name, not from the dataset seed — so every synthetic dataset shows the same
/// people: body size and position in the frame, proportions, signing style and tempo, how far the resting
/// hands hang (in or out of the frame), tracking quality, and a visual appearance vector (clothing,
/// background) that dominates the simulated SigLIP features.
internal sealed class SignerProfile
{
    public const int Count = 9;

    /// Unbalanced share of the samples per signer (the real corpus is unbalanced too).
    public static readonly double[] Shares = [0.19, 0.06, 0.11, 0.14, 0.16, 0.07, 0.09, 0.11, 0.07];

    private static readonly SignerProfile[] All = Enumerable.Range(1, Count).Select(i => new SignerProfile(i)).ToArray();

    public static SignerProfile Get(int number) => All[number - 1];

    public static string NameOf(int number) => $"Signer{number:00}";

    /// Maps a speaker label to a signer: "Signer05" → 5; any other label → a stable hash of it.
    public static int FromSpeaker(string speaker)
    {
        if (speaker.StartsWith("Signer", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(speaker.AsSpan(6), out int n) && n is >= 1 and <= Count)
            return n;
        return 1 + (int)(StableHash.Of(speaker) % Count);
    }

    /// The signer of a position in a low-discrepancy (golden-ratio) sequence over the shares: every signer
    /// appears early, and the proportions converge quickly.
    public static int AtSequencePosition(double offset, long position)
    {
        double u = (offset + position * 0.6180339887498949) % 1.0;
        double acc = 0;
        for (int i = 0; i < Count; i++)
        {
            acc += Shares[i];
            if (u < acc) return i + 1;
        }
        return Count;
    }

    private SignerProfile(int number)
    {
        Number = number;
        var r = SynthRandom.For("signer", number);
        ScalePixels = r.Uniform(80, 100);
        CenterX = r.Uniform(0.45f, 0.55f);
        ShoulderY = r.Uniform(0.58f, 0.66f);
        HeadScale = r.Uniform(0.9f, 1.1f);
        ArmScale = r.Uniform(0.93f, 1.07f);
        HandScale = r.Uniform(0.9f, 1.1f);
        Amplitude = r.Uniform(0.8f, 1.2f);
        Tempo = r.Uniform(0.85f, 1.2f);
        LocationBias = new Vec3(r.Uniform(-0.06f, 0.06f), r.Uniform(-0.1f, 0.1f), r.Uniform(-0.05f, 0.05f));
        Laxness = r.Uniform(0f, 0.25f);
        RestHeight = r.Uniform(1.0f, 1.4f);
        ShoulderTilt = r.Uniform(-0.04f, 0.04f);
        NoiseLevel = r.Uniform(0.7f, 1.4f);
        DropoutRate = r.Uniform(0.005f, 0.03f);
        Appearance = r.UnitVector(SiglipModel.Dim);
    }

    public int Number { get; }
    public string Name => NameOf(Number);

    /// Shoulder width in pixels of a 210×260 PHOENIX frame.
    public float ScalePixels { get; }
    /// Horizontal position of the body's midline (0..1).
    public float CenterX { get; }
    /// Vertical position of the shoulders (0..1).
    public float ShoulderY { get; }
    public float HeadScale { get; }
    public float ArmScale { get; }
    public float HandScale { get; }
    /// Size of the signing movements relative to the prototypes.
    public float Amplitude { get; }
    /// Duration multiplier (above 1 = slower).
    public float Tempo { get; }
    /// Habitual offset of the hands from the prototype locations.
    public Vec3 LocationBias { get; }
    /// How much handshapes drift towards a relaxed hand (sloppy articulation).
    public float Laxness { get; }
    /// Height of the resting wrists below the shoulders (above about 1.15 they leave the frame).
    public float RestHeight { get; }
    public float ShoulderTilt { get; }
    /// Multiplier of the keypoint tracking noise.
    public float NoiseLevel { get; }
    /// Probability per frame that the hand tracker loses a visible hand.
    public float DropoutRate { get; }
    /// Unit vector: what this signer looks like to an image encoder.
    public float[] Appearance { get; }
}
