namespace PhoenixSlt.Web.Security;

/// Where the sign-in page may send the user afterwards: only paths of this site.
public static class ReturnUrls
{
    /// <paramref name="returnUrl"/> when it is a local path ("/runs/3?x=1"), else "/". Absolute URLs,
    /// protocol-relative "//host" and "/\host" (which browsers treat as "//host") are refused.
    public static string Safe(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/')
            return "/";
        if (returnUrl.Length > 1 && (returnUrl[1] == '/' || returnUrl[1] == '\\'))
            return "/";
        if (returnUrl.Any(c => char.IsControl(c)))
            return "/";
        return returnUrl;
    }
}
