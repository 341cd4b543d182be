using System.Globalization;

namespace PhoenixSlt.Training.Distributed;

internal static class Durations
{
    /// "60 s", "2 s", "0.5 s": the form used in error messages.
    public static string Format(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
