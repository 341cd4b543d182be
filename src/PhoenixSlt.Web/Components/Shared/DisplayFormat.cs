using System.Globalization;

namespace PhoenixSlt.Web.Components.Shared;

/// How the portal writes sizes, durations and metric values (invariant culture, so pages read the same everywhere).
public static class DisplayFormat
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// 1536 → "1.5 KiB"; whole bytes below 1 KiB; null → "–".
    public static string Bytes(long? bytes)
    {
        if (bytes is not long value)
            return "–";
        if (value < 1024)
            return string.Create(CultureInfo.InvariantCulture, $"{value} B");
        double scaled = value;
        int unit = 0;
        while (scaled >= 1024 && unit < ByteUnits.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{scaled:0.0} {ByteUnits[unit]}");
    }

    /// A duration for people: "45 s", "3 min 05 s", "2 h 07 min", "3 d 04 h"; negative durations count as 0.
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
            duration = TimeSpan.Zero;
        var c = CultureInfo.InvariantCulture;
        if (duration.TotalMinutes < 1)
            return string.Create(c, $"{(int)duration.TotalSeconds} s");
        if (duration.TotalHours < 1)
            return string.Create(c, $"{duration.Minutes} min {duration.Seconds:00} s");
        if (duration.TotalDays < 1)
            return string.Create(c, $"{duration.Hours} h {duration.Minutes:00} min");
        return string.Create(c, $"{(int)duration.TotalDays} d {duration.Hours:00} h");
    }

    /// Seconds as a <see cref="Duration(TimeSpan)"/>; null, NaN or infinite → "–".
    public static string Seconds(double? seconds)
        => seconds is double s && double.IsFinite(s) ? Duration(TimeSpan.FromSeconds(Math.Min(s, TimeSpan.MaxValue.TotalSeconds / 2))) : "–";

    /// A metric value with four significant digits (losses, BLEU); scientific notation for tiny values such as
    /// learning rates (1E-04); null or not finite → "–".
    public static string Metric(double? value)
    {
        if (value is not double v || !double.IsFinite(v))
            return "–";
        double magnitude = Math.Abs(v);
        if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6))
            return v.ToString("0.###E+00", CultureInfo.InvariantCulture);
        return v.ToString(magnitude >= 100 ? "0.#" : magnitude >= 10 ? "0.##" : "0.####", CultureInfo.InvariantCulture);
    }

    /// The state of a validation in progress: "validating 3/8 clips".
    public static string Validation(int done, int total)
        => string.Create(CultureInfo.InvariantCulture, $"validating {done}/{total} clips");

    /// A percentage with one decimal ("42.0%"); null → "–".
    public static string Percent(double? percent)
        => percent is double p && double.IsFinite(p) ? p.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";
}
