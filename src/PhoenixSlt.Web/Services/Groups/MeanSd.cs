namespace PhoenixSlt.Web.Services.Groups;

/// Mean and sample standard deviation (n − 1, as reported for seeds) of <see cref="Count"/> values; Sd is null for
/// one value.
public sealed record MeanSd(double Mean, double? Sd, int Count)
{
    /// Null for no values.
    public static MeanSd? Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.Where(double.IsFinite).ToList();
        if (list.Count == 0)
            return null;
        double mean = list.Average();
        double? sd = list.Count < 2 ? null : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return new MeanSd(mean, sd, list.Count);
    }

    /// "11.20 ± 0.39" (two decimals; the mean alone for one value).
    public override string ToString()
        => Sd is double sd ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:0.00} ± {sd:0.00}")
            : Mean.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}

/// One point of a group's curve: the mean ± sd over the runs that have a value at <see cref="Step"/>.
public sealed record BandPoint(long Step, double Mean, double Sd, int Count)
{
    public double Lower => Mean - Sd;
    public double Upper => Mean + Sd;
}

/// A group's curve as a band: at each step any run has, the mean and sd of the runs' values there (sd 0 where one
/// run has a value).
public static class MetricBand
{
    public static IReadOnlyList<BandPoint> Of(IEnumerable<IReadOnlyList<(long Step, double Value)>> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        return [.. curves.SelectMany(c => c).Where(p => double.IsFinite(p.Value)).GroupBy(p => p.Step).OrderBy(g => g.Key)
            .Select(g => MeanSd.Of(g.Select(p => p.Value)) is MeanSd m ? new BandPoint(g.Key, m.Mean, m.Sd ?? 0, m.Count) : null)
            .OfType<BandPoint>()];
    }
}
