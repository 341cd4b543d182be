namespace PhoenixSlt.Web.Services;

/// RFC 4180 CSV fields: the one quoting rule of the portal's CSV downloads.
public static class CsvText
{
    /// <paramref name="value"/> as it is, or in double quotes (inner quotes doubled) when it holds a comma, a quote,
    /// CR or LF.
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}
