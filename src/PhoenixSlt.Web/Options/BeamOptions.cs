using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Options;

/// Section "Phoenix:Beams": the one beam-width limit of the portal, for the New-run form and POST /api/runs (the
/// validation decoding of a run), evaluations (Checkpoints page and API) and translation (Translate page and API).
public sealed class BeamOptions
{
    public const string SectionName = "Phoenix:Beams";

    /// Widest beam accepted. 16 keeps a CPU validation, evaluation or translation within minutes on PHOENIX-sized
    /// splits; a run spec allows up to 32 (the command line keeps that).
    [Range(1, 32)]
    public int Max { get; set; } = 16;

    /// Why <paramref name="beams"/> is refused, or null when it is within 1..<see cref="Max"/>.
    public string? Problem(int beams)
        => beams < 1 || beams > Max ? $"Beams must be a whole number from 1 (greedy) to {Max} (got {beams})." : null;
}
