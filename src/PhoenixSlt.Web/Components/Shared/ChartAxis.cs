namespace PhoenixSlt.Web.Components.Shared;

/// A y range chosen for a chart, in data units.
public readonly record struct AxisRange(double Min, double Max);

/// The axis rules of <see cref="MetricChart"/>: which y range it shows and whether a log axis makes sense. Pure, so the
/// rules are testable without a browser.
public static class ChartAxis
{
    /// Room above the highest value of a range that starts at 0, as a fraction of that value.
    public const double Headroom = 0.05;

    /// Below this x span (in steps) every step gets a tick: Plotly would otherwise label 0.5-steps.
    public const double WholeStepTicksBelow = 10;

    /// The y range for <paramref name="values"/> (every y of every series and band), or null for Plotly's autorange
    /// around the data. A log axis always autoranges (its range is in powers of ten and ignores values ≤ 0).
    /// <see cref="ChartYScale.Percent"/>: 0–100 when every value fits in it; <see cref="ChartYScale.NonNegative"/> (and
    /// Percent otherwise): 0 to a little above the highest value, 0–1 when all are 0, around the data when any is below 0.
    public static AxisRange? YRange(IEnumerable<double> values, ChartYScale scale, bool logY)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (logY || scale == ChartYScale.Auto)
            return null;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double value in values)
        {
            if (!double.IsFinite(value))
                continue;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        if (min > max) // no finite value
            return scale == ChartYScale.Percent ? new AxisRange(0, 100) : new AxisRange(0, 1);
        if (scale == ChartYScale.Percent && min >= 0 && max <= 100)
            return new AxisRange(0, 100);
        if (min < 0)
            return null;
        return max == 0 ? new AxisRange(0, 1) : new AxisRange(0, max * (1 + Headroom));
    }

    /// A log y axis can show something only when some value is above 0.
    public static bool CanUseLog(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Any(v => double.IsFinite(v) && v > 0);
    }

    /// The x tick spacing: 1 (whole steps) when the finite x values span less than <see cref="WholeStepTicksBelow"/>,
    /// otherwise null (Plotly's own ticks).
    public static double? XTickStep(IEnumerable<double> xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double x in xs.Where(double.IsFinite))
        {
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }
        return min <= max && max - min < WholeStepTicksBelow ? 1 : null;
    }
}
