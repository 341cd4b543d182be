using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Options;

/// Section "Phoenix:Uploads": how much uploaded data the portal holds at once. Uploads are streamed to temporary
/// files under &lt;DataRoot&gt;/.temp/uploads and deleted when their request ends; the bytes of the requests in flight
/// (their uploads, zips counted uncompressed) are capped by <see cref="MaxInFlightMb"/>.
public sealed class UploadOptions
{
    public const string SectionName = "Phoenix:Uploads";

    /// Upload bytes all requests in flight may hold together; a request that would exceed it is answered 503 with
    /// Retry-After. At least one largest upload (Phoenix:Translation:MaxUploadBytes) must fit.
    [Range(1, 1_000_000)]
    public int MaxInFlightMb { get; set; } = 256;

    public long MaxInFlightBytes => MaxInFlightMb * 1024L * 1024;

    /// Bytes a multipart request may add around its files (boundaries, part headers, form fields).
    public const long FormOverheadBytes = 1024 * 1024;

    /// The largest request body accepted for uploads of at most <paramref name="maxUploadBytes"/> file bytes.
    public static long MaxRequestBytes(long maxUploadBytes) => maxUploadBytes + FormOverheadBytes;
}
