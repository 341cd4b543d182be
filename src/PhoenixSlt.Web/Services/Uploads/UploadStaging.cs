using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Services.Uploads;

/// A problem with an upload's form (not multipart, malformed, too many files or bytes): answered 400.
public sealed class UploadFormException(string message, Exception? inner = null) : Exception(message, inner);

/// One file of a staged upload: its form field and the file (in a temporary file).
public sealed record StagedFile(string Field, UploadedFile File);

/// The files and fields of a multipart upload whose files were streamed to temporary files; disposing deletes them.
public sealed class StagedForm : IDisposable
{
    private readonly List<string> _paths = [];
    private readonly List<StagedFile> _files = [];
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    public IReadOnlyList<StagedFile> Files => _files;

    /// Text fields by name (the last value when a name repeats).
    public IReadOnlyDictionary<string, string> Fields => _fields;

    /// Bytes of all files together.
    public long FileBytes => _files.Sum(f => f.File.Length);

    public string? Field(string name) => _fields.GetValueOrDefault(name);

    internal void AddFile(StagedFile file, string path)
    {
        _paths.Add(path);
        _files.Add(file);
    }

    internal void AddField(string name, string value) => _fields[name] = value;

    /// Deletes the temporary files (idempotent); the <see cref="UploadedFile"/>s can no longer be read.
    public void Dispose()
    {
        foreach (string path in _paths)
            UploadStaging.TryDelete(path);
        _paths.Clear();
    }
}

/// Streams uploads to temporary files under &lt;DataRoot&gt;/.temp/uploads instead of memory: a pooled copy buffer
/// per request, the file deleted when its request ends (also when it fails or is cancelled). Leftovers of a stopped
/// portal are removed when the service starts.
public sealed class UploadStaging
{
    /// Bytes of the copy buffer (rented from the shared pool, below the large-object threshold).
    public const int CopyBufferBytes = 64 * 1024;

    /// Characters a text field of an upload form may have.
    public const int MaxFieldLength = 4096;

    /// Text fields an upload form may have.
    public const int MaxFields = 32;

    public UploadStaging(PhoenixPaths paths, ILogger<UploadStaging> logger)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(logger);
        Folder = FolderOf(paths);
        RemoveLeftovers(logger);
    }

    /// Where temporary upload files live: &lt;DataRoot&gt;/.temp/uploads (a hidden folder, never taken for a dataset).
    public string Folder { get; }

    public static string FolderOf(PhoenixPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.DataRoot, ".temp", "uploads");
    }

    /// Reads a multipart/form-data request: files go to temporary files (at most <paramref name="maxFiles"/> files
    /// and <paramref name="maxBytes"/> bytes together), text fields (at most <see cref="MaxFields"/>, each at most
    /// <see cref="MaxFieldLength"/> characters) to <see cref="StagedForm.Fields"/>. Throws <see cref="UploadFormException"/> for a form that breaks the limits
    /// or cannot be read; every file written so far is deleted then.
    public async Task<StagedForm> ReadMultipartAsync(HttpRequest request, long maxBytes, int maxFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UploadFormException("Send a multipart/form-data request.");
        string boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? "";
        if (boundary.Length is 0 or > 200)
            throw new UploadFormException("The multipart/form-data request has no valid boundary.");
        var form = new StagedForm();
        try
        {
            // A form already read (antiforgery validation looks for its token in it) is staged from the framework's copy.
            if (request.HttpContext.Features.Get<IFormFeature>() is { Form: { } read })
                return await StageReadFormAsync(form, read, maxBytes, maxFiles, cancellationToken).ConfigureAwait(false);
            var reader = new MultipartReader(boundary, request.Body);
            long total = 0;
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw new UploadFormException("A part of the form has no 'Content-Disposition: form-data' header.");
                string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (form.Files.Count >= maxFiles)
                        throw new UploadFormException($"The form holds more than the {maxFiles} files accepted.");
                    string fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                    total += await StageAsync(form, name, fileName, section.Body, maxBytes - total, maxBytes, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    if (form.Fields.Count >= MaxFields)
                        throw new UploadFormException($"The form holds more than the {MaxFields} text fields accepted.");
                    form.AddField(name, await ReadFieldAsync(name, section.Body, cancellationToken).ConfigureAwait(false));
                }
            }
            return form;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or BadHttpRequestException)
        {
            form.Dispose();
            throw new UploadFormException($"The form cannot be read ({ex.Message}); send multipart/form-data within the upload limits.", ex);
        }
        catch
        {
            form.Dispose();
            throw;
        }
    }

    private async Task<StagedForm> StageReadFormAsync(StagedForm form, IFormCollection read, long maxBytes, int maxFiles, CancellationToken cancellationToken)
    {
        if (read.Files.Count > maxFiles)
            throw new UploadFormException($"The form holds {read.Files.Count} files, more than the {maxFiles} accepted.");
        long total = 0;
        foreach (var file in read.Files)
        {
            await using var source = file.OpenReadStream();
            total += await StageAsync(form, file.Name, file.FileName, source, maxBytes - total, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        foreach (var (name, values) in read)
            form.AddField(name, values.ToString());
        return form;
    }

    /// Streams one file (e.g. a browser upload of a page) into a new temporary file of <paramref name="form"/>, at most
    /// <paramref name="maxBytes"/> bytes (more: <see cref="UploadFormException"/>, nothing left behind); returns its length.
    public Task<long> AddFileAsync(StagedForm form, string field, string fileName, Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(source);
        return StageAsync(form, field ?? "", fileName ?? "", source, maxBytes, maxBytes, cancellationToken);
    }

    /// Copies one file part to a new temporary file; returns its length.
    private async Task<long> StageAsync(StagedForm form, string field, string fileName, Stream source, long remaining, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, $"{Guid.NewGuid():N}.upload");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            long length = 0;
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > remaining)
                        throw new UploadFormException($"The upload has more than the {maxBytes} bytes accepted; send fewer or shorter clips.");
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            form.AddFile(new StagedFile(field, UploadedFile.FromFile(fileName, path)), path);
            return length;
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string> ReadFieldAsync(string name, Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen: true);
        char[] text = new char[MaxFieldLength + 1];
        int length = 0, read;
        while (length <= MaxFieldLength && (read = await reader.ReadAsync(text.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            length += read;
        if (length > MaxFieldLength)
            throw new UploadFormException($"The form field '{UploadValidator.Shown(name)}' has more than {MaxFieldLength} characters.");
        return new string(text, 0, length);
    }

    /// Deletes a temporary file; a file that cannot be deleted now is left for the next start.
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // left for RemoveLeftovers at the next start
        }
    }

    private void RemoveLeftovers(ILogger logger)
    {
        if (!Directory.Exists(Folder))
            return;
        try
        {
            // Only files of a previous process: older than any request of this one can be.
            var cutoff = DateTime.UtcNow.AddHours(-1);
            foreach (var file in new DirectoryInfo(Folder).EnumerateFiles("*.upload").Where(f => f.LastWriteTimeUtc < cutoff))
                TryDelete(file.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Old temporary uploads in {Folder} could not be removed: {Message}", Folder, ex.Message);
        }
    }
}
