using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Datasets;

/// One sample for the sample browser: its annotation row and the frame counts read from the .npy headers
/// (null when the file is missing or unreadable).
public sealed record SampleInfo(PhoenixSample Sample, int? KeypointFrames, int? SiglipFrames, string? KeypointFile, string? SiglipFile);

/// Everything the Datasets page shows about one dataset: the per-split report, the samples per split and
/// whether the report comes from headers only (fast) or from reading every value (full check).
public sealed record DatasetOverview(
    DatasetReport Report,
    IReadOnlyDictionary<string, IReadOnlyList<SampleInfo>> Samples,
    bool FullCheck,
    DateTimeOffset InspectedAt,
    TimeSpan Duration)
{
    public IReadOnlyList<SampleInfo> SamplesOf(string split)
        => Samples.TryGetValue(split, out IReadOnlyList<SampleInfo>? samples) ? samples : [];
}
