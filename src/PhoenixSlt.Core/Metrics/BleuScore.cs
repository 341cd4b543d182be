namespace PhoenixSlt.Core.Metrics;

/// <summary>
/// A BLEU result with sacrebleu 2.6.0's fields (<c>BLEUScore</c>).
/// </summary>
/// <param name="Score">BLEU in 0–100.</param>
/// <param name="Counts">Clipped n-gram matches for n = 1..4 (under add-k the smoothed values, hence doubles).</param>
/// <param name="Totals">Hypothesis n-grams for n = 1..4 (smoothed under add-k).</param>
/// <param name="Precisions">n-gram precisions in percent (0 after an early stop or an order cut off).</param>
/// <param name="Bp">Brevity penalty.</param>
/// <param name="SysLen">Hypothesis length in tokens.</param>
/// <param name="RefLen">Closest-reference length in tokens.</param>
public sealed record BleuScore(
    double Score,
    IReadOnlyList<double> Counts,
    IReadOnlyList<double> Totals,
    IReadOnlyList<double> Precisions,
    double Bp,
    int SysLen,
    int RefLen)
{
    /// <summary><c>sys_len / ref_len</c>, or 0 when the reference length is 0 (as sacrebleu).</summary>
    public double Ratio => RefLen != 0 ? (double)SysLen / RefLen : 0.0;

    /// <summary>sacrebleu's reproducibility signature of the settings that produced this score.</summary>
    public string Signature { get; init; } = "";

    /// <summary>
    /// sacrebleu's <c>str(score)</c>, e.g.
    /// <c>BLEU = 28.11 56.6/32.4/22.0/16.6 (BP = 0.982 ratio = 0.982 hyp_len = 7207 ref_len = 7339)</c>.
    /// </summary>
    public override string ToString() => $"BLEU = {Details()}";

    /// <summary>
    /// sacrebleu's command-line line, <c>score.format(signature=...)</c>:
    /// <c>BLEU|nrefs:1|...|version:2.6.0 = 28.11 56.6/32.4/22.0/16.6 (BP = ...)</c>.
    /// </summary>
    public string ToStringWithSignature() => $"BLEU|{Signature} = {Details()}";

    private string Details()
    {
        string precisions = string.Join('/', Precisions.Select(p => PythonFormat.Fixed(p, 1)));
        return $"{PythonFormat.Fixed(Score, 2)} {precisions} (BP = {PythonFormat.Fixed(Bp, 3)} " +
               $"ratio = {PythonFormat.Fixed(Ratio, 3)} hyp_len = {SysLen} ref_len = {RefLen})";
    }
}
