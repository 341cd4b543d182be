namespace PhoenixSlt.Core.Data;

/// How deep <see cref="DatasetInspector"/> reads the feature files.
public enum InspectionDepth
{
    /// Only the .npy headers: declared shapes and data sizes (missing, unreadable, misshapen, truncated or oversized
    /// files). Fast enough for thousands of samples; NaN/Inf values and missing hands are not seen.
    HeadersOnly,

    /// Every value of every file: also NaN/Inf problems and the missing-hand ratios.
    Full,
}

/// One inspected sample: its annotation row, the frame counts of its feature files (null when the file is missing
/// or invalid at the inspected depth) and the files found (null when missing).
public sealed record SampleInfo(PhoenixSample Sample, int? KeypointFrames, int? SiglipFrames, string? KeypointFile, string? SiglipFile);

/// The report of an inspection together with every inspected sample, per split.
public sealed record DatasetInspection(
    DatasetReport Report,
    InspectionDepth Depth,
    IReadOnlyDictionary<string, IReadOnlyList<SampleInfo>> Samples)
{
    /// The samples of <paramref name="split"/> in annotation order (empty when the split has no annotation file).
    public IReadOnlyList<SampleInfo> SamplesOf(string split)
        => Samples.TryGetValue(split, out IReadOnlyList<SampleInfo>? samples) ? samples : [];
}
