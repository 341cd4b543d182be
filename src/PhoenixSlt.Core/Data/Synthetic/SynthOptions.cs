namespace PhoenixSlt.Core.Data.Synthetic;

/// What to generate. Defaults are the real PHOENIX-2014-T split sizes (7,096 / 519 / 642).
/// <param name="OutDir">Dataset root to write (annotations/, kpts/, siglip_vitb16/).</param>
/// <param name="Seed">Same seed, same options → byte-identical files.</param>
public sealed record SynthOptions(string OutDir, int Train = 7096, int Dev = 519, int Test = 642, int Seed = 42)
{
    /// Simulate features for an existing PHOENIX-format corpus in this annotations folder instead of
    /// generating sentences (its `orth` glosses drive the motion; split sizes are then taken from the corpus).
    public string? FromAnnotations { get; init; }

    /// Replace an existing dataset in <see cref="OutDir"/> instead of refusing.
    public bool Overwrite { get; init; }

    /// Write SigLIP features as float16 (half the disk space; keypoints are always float32).
    public bool SiglipFloat16 { get; init; } = true;

    /// Samples rendered and written concurrently (the values never depend on it).
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public int CountOf(string split) => split switch
    {
        "train" => Train,
        "dev" => Dev,
        "test" => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "split must be train, dev or test"),
    };
}

/// Progress of a generation run: samples finished in the current split and overall.
public sealed record SynthProgress(string Split, int SplitDone, int SplitTotal, int Done, int Total)
{
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}

/// Statistics of one generated split.
public sealed record SynthSplitSummary(
    string Split,
    int Samples,
    long Frames,
    int MinFrames,
    int MaxFrames,
    long SiglipFrames,
    int GlossVocabulary,
    int WordVocabulary,
    int Signers,
    long FramesMissingLeftHand,
    long FramesMissingRightHand)
{
    public double MeanFrames => Samples == 0 ? 0 : (double)Frames / Samples;
}

/// What a generation run wrote.
public sealed record SynthSummary(string OutDir, int Seed, bool FromAnnotations, IReadOnlyList<SynthSplitSummary> Splits, long Bytes, TimeSpan Elapsed)
{
    public int Samples => Splits.Sum(s => s.Samples);
    public long Frames => Splits.Sum(s => s.Frames);
    public double MeanFrames => Samples == 0 ? 0 : (double)Frames / Samples;
}
