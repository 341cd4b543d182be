namespace PhoenixSlt.Core.Data;

/// Minimum, mean and maximum of frame counts.
public sealed record FrameStats(int Count, int Min, double Mean, int Max)
{
    public static FrameStats? Of(IReadOnlyCollection<int> values)
        => values.Count == 0 ? null : new FrameStats(values.Count, values.Min(), values.Average(), values.Max());
}

/// A histogram bin covering frame counts Lower ≤ n &lt; Upper.
public sealed record HistogramBin(int Lower, int Upper, int Count);

/// Equal-width histograms with a readable bin width (1, 2 or 5 × 10^k).
public static class FrameHistogram
{
    public static IReadOnlyList<HistogramBin> Build(IReadOnlyCollection<int> values, int maxBins = 20)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBins);
        if (values.Count == 0)
            return [];
        int min = values.Min(), max = values.Max();
        int width = NiceWidth((max - min + 1) / (double)maxBins);
        int lower = min / width * width;
        int bins = (max - lower) / width + 1;
        int[] counts = new int[bins];
        foreach (int v in values)
            counts[(v - lower) / width]++;
        return counts.Select((c, i) => new HistogramBin(lower + i * width, lower + (i + 1) * width, c)).ToArray();
    }

    /// Smallest of 1, 2, 5, 10, 20, 50, … that is ≥ <paramref name="raw"/>.
    public static int NiceWidth(double raw)
    {
        for (int magnitude = 1; ; magnitude *= 10)
            foreach (int m in new[] { 1, 2, 5 })
                if (m * magnitude >= raw)
                    return m * magnitude;
    }
}

/// What `data check` found in one split.
/// <param name="AnnotationFile">the annotation file read, or null when none was found</param>
/// <param name="WithBothFeatures">samples whose keypoint and SigLIP files both exist and are valid</param>
/// <param name="LeftHandMissingRatio">fraction of keypoint frames in which all 21 left-hand joints are missing</param>
public sealed record SplitReport(
    string Split,
    string? AnnotationFile,
    int Samples,
    int WithBothFeatures,
    int MissingKeypoints,
    int MissingSiglip,
    int InvalidKeypoints,
    int InvalidSiglip,
    FrameStats? KeypointFrames,
    FrameStats? SiglipFrames,
    double? LeftHandMissingRatio,
    double? RightHandMissingRatio,
    IReadOnlyList<HistogramBin> KeypointFrameHistogram,
    IReadOnlyList<HistogramBin> SiglipFrameHistogram);

/// The result of inspecting a dataset folder: per-split statistics and every problem found.
public sealed record DatasetReport(string Root, IReadOnlyList<SplitReport> Splits, IReadOnlyList<DataProblem> Problems)
{
    public bool Ok => Problems.Count == 0;
    public int TotalSamples => Splits.Sum(s => s.Samples);
}

/// Progress of an inspection: <paramref name="Done"/> of <paramref name="Total"/> samples of a split checked.
public sealed record InspectionProgress(string Split, int Done, int Total);
