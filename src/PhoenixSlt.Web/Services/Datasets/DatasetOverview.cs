using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Datasets;

/// Everything the Datasets page shows about one dataset: the inspection (per-split report and samples), whether it
/// read headers only (fast) or every value (full check), and when and how fast it ran.
public sealed record DatasetOverview(DatasetInspection Inspection, DateTimeOffset InspectedAt, TimeSpan Duration)
{
    public DatasetReport Report => Inspection.Report;

    public bool FullCheck => Inspection.Depth == InspectionDepth.Full;

    public IReadOnlyList<SampleInfo> SamplesOf(string split) => Inspection.SamplesOf(split);
}
