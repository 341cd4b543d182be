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
}
