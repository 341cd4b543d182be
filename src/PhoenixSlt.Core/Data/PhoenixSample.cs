namespace PhoenixSlt.Core.Data;

/// One row of a PHOENIX-2014-T annotation file (official pipe-separated corpus CSV or plain CSV).
/// Official columns: name|video|start|end|speaker|orth|translation; start/end are -1 in the release.
public sealed record PhoenixSample(
    string Name,
    string Translation,
    string Orth = "",
    string Speaker = "",
    string Video = "",
    int Start = -1,
    int End = -1);
