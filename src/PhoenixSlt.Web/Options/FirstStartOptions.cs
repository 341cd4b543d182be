using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Options;

/// Section "Phoenix:FirstStart": the synthetic dataset generated when the data root holds no dataset.
public sealed class FirstStartOptions
{
    public const string SectionName = "Phoenix:FirstStart";

    /// Generate the synthetic dataset when no dataset exists. Off: the portal starts with an empty data root.
    public bool GenerateSyntheticDataset { get; set; } = true;

    [Range(1, 100_000)]
    public int TrainSamples { get; set; } = 7096;

    [Range(1, 100_000)]
    public int DevSamples { get; set; } = 519;

    [Range(1, 100_000)]
    public int TestSamples { get; set; } = 642;

    public int Seed { get; set; } = 42;

    /// Samples generated concurrently; 0 = all cores but one (the portal stays responsive), at least 1.
    [Range(0, 256)]
    public int MaxParallelism { get; set; }

    public static int EffectiveParallelism(int configured)
        => configured > 0 ? configured : Math.Max(1, Environment.ProcessorCount - 1);
}
