namespace PhoenixSlt.Web.Components.Shared;

/// The exponential moving average that TensorBoard and W&B draw over noisy curves, with TensorBoard's debiasing:
/// the running average starts at 0, so each value is divided by 1 − weight^n (n = finite values seen so far), which
/// makes the first smoothed value equal the first raw value instead of being pulled towards 0.
public static class ChartSmoothing
{
    /// The largest weight the chart offers: at 1 the average would never move.
    public const double MaxWeight = 0.99;

    /// <paramref name="values"/> smoothed with <paramref name="weight"/> in [0, <see cref="MaxWeight"/>] (0: unchanged).
    /// Values that are not finite stay as they are and do not enter the average.
    public static double[] Smooth(IReadOnlyList<double> values, double weight)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!double.IsFinite(weight) || weight < 0 || weight > MaxWeight)
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"the smoothing weight must be between 0 and {MaxWeight}");
        var smoothed = new double[values.Count];
        double last = 0;
        int seen = 0;
        for (int i = 0; i < values.Count; i++)
        {
            double value = values[i];
            if (!double.IsFinite(value) || weight == 0)
            {
                smoothed[i] = value;
                continue;
            }
            last = last * weight + (1 - weight) * value;
            seen++;
            smoothed[i] = last / (1 - Math.Pow(weight, seen));
        }
        return smoothed;
    }

    /// A weight the chart can use: NaN and values outside [0, <see cref="MaxWeight"/>] are clamped into it.
    public static double Clamp(double weight) => double.IsNaN(weight) ? 0 : Math.Clamp(weight, 0, MaxWeight);
}
