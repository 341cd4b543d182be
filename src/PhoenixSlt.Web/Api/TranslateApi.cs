using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using PhoenixSlt.Web.Hubs;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Api;

/// POST /api/translate: translate uploaded features (multipart form) with an slt checkpoint; the SignalR hub
/// /hubs/translate pushes each result to the caller as it finishes.
public static class TranslateApi
{
    public const string KeypointsField = "kpts";
    public const string SiglipField = "siglip";
    public const string ZipField = "zip";

    /// Bytes a multipart request may add around its files (boundaries, part headers, form fields).
    private const long FormOverheadBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapTranslateApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/api/translate", TranslateAsync)
            .WithTags("Translate")
            .WithName("Translate")
            .WithSummary("Translate a keypoints .npy + SigLIP .npy pair (form files 'kpts' and 'siglip') or a zip of <name>.kpts.npy/<name>.siglip.npy pairs (form file 'zip'); form fields 'checkpoint' (id or folder under the checkpoint root), 'beams', optional 'connectionId' of a /hubs/translate connection.")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<TranslateResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            // The form is read by hand; cookie-authenticated calls are checked by ApiAntiforgeryMiddleware.
            .DisableAntiforgery();
        endpoints.MapHub<TranslateHub>(TranslateHub.Route);
        return endpoints;
    }

    public static async Task<IResult> TranslateAsync(HttpContext context, TranslationService service, TranslationCheckpoints checkpoints,
        IHubContext<TranslateHub> hub, Microsoft.Extensions.Options.IOptions<Options.BeamOptions> beamLimit)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(hub);
        var options = service.Options;
        var cancellationToken = context.RequestAborted;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = options.MaxUploadBytes + FormOverheadBytes;
        if (!context.Request.HasFormContentType)
            return Invalid("form", "Send a multipart/form-data request with the files 'kpts' and 'siglip', or 'zip'.");
        if (context.Request.ContentLength > options.MaxUploadBytes + FormOverheadBytes)
            return Invalid("files", $"The upload has {context.Request.ContentLength} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips.");

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return Invalid("form", $"The form cannot be read ({ex.Message}); send multipart/form-data within the upload limits.");
        }

        var (files, fileProblem) = await ReadFilesAsync(form, options, cancellationToken).ConfigureAwait(false);
        if (fileProblem is not null)
            return Invalid("files", fileProblem);
        string? beamsText = form["beams"];
        int beams = new Training.Specs.RunSpec().Beams;
        if (!string.IsNullOrWhiteSpace(beamsText) && (!int.TryParse(beamsText, NumberStyles.None, CultureInfo.InvariantCulture, out beams) || beamLimit.Value.Problem(beams) is not null))
            return Invalid("beams", $"Beams '{beamsText}' must be a whole number from 1 (greedy) to {beamLimit.Value.Max}.");
        var (checkpoint, checkpointProblem) = await checkpoints.ResolveAsync(form["checkpoint"], cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
            return Invalid("checkpoint", checkpointProblem!);

        var validation = files!.TryGetValue(ZipField, out var zip)
            ? UploadValidator.ValidateZip(zip, options)
            : UploadValidator.ValidatePair(files[KeypointsField], files[SiglipField], options);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["files"] = [.. validation.Problems] },
                title: "The upload is not valid.");

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = service.SubmitAll(checkpoint.Folder, beams, validation.Clips, cancellation);
        if (tasks is null)
        {
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem($"The translation queue is full; retry in {options.RetryAfterSeconds} s.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy");
        }
        string? connectionId = form["connectionId"];
        try
        {
            var results = await Task.WhenAll(tasks.Select(t => PushAsync(t, hub, connectionId, cancellationToken))).ConfigureAwait(false);
            return TypedResults.Ok(new TranslateResponse(results));
        }
        catch (TranslationFailedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The translation failed.");
        }
    }

    private static async Task<TranslationResult> PushAsync(Task<TranslationResult> task, IHubContext<TranslateHub> hub, string? connectionId, CancellationToken cancellationToken)
    {
        var result = await task.ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(connectionId))
            await hub.Clients.Client(connectionId).SendAsync(TranslateHub.ResultMethod, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// The uploaded files by field (kpts + siglip, or zip), or the problem with the form's files.
    public static async Task<(Dictionary<string, UploadedFile>? Files, string? Problem)> ReadFilesAsync(IFormCollection form, TranslationOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(options);
        if (form.Files.Count > options.MaxFilesPerUpload)
            return (null, $"The form holds {form.Files.Count} files, more than the {options.MaxFilesPerUpload} accepted.");
        long total = form.Files.Sum(f => f.Length);
        if (total > options.MaxUploadBytes)
            return (null, $"The upload has {total} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips.");
        var unknown = form.Files.Select(f => f.Name).Where(n => n is not (KeypointsField or SiglipField or ZipField)).Distinct().ToList();
        if (unknown.Count > 0)
            return (null, $"Unknown file field(s) {string.Join(", ", unknown.Select(UploadValidator.Shown))}; send 'kpts' and 'siglip', or 'zip'.");
        if (form.Files.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            return (null, $"The form holds {repeated.Count()} '{repeated.Key}' files; send one pair per request, or a zip for many clips.");
        bool hasZip = form.Files.GetFile(ZipField) is not null;
        bool hasPair = form.Files.GetFile(KeypointsField) is not null || form.Files.GetFile(SiglipField) is not null;
        if (hasZip && hasPair)
            return (null, "Send either 'kpts' and 'siglip', or 'zip', not both.");
        if (!hasZip && (form.Files.GetFile(KeypointsField) is null || form.Files.GetFile(SiglipField) is null))
            return (null, "Send both files of a clip: 'kpts' (keypoints .npy, (T, 75, 3) or (T, 225)) and 'siglip' (SigLIP .npy, (T', 768)), or a 'zip' of pairs.");
        var files = new Dictionary<string, UploadedFile>(StringComparer.Ordinal);
        foreach (var file in form.Files)
        {
            using var buffer = new MemoryStream((int)file.Length);
            await using (var stream = file.OpenReadStream())
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            files[file.Name] = new UploadedFile(file.FileName, buffer.ToArray());
        }
        return (files, null);
    }

    private static ValidationProblem Invalid(string field, string message)
        => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");
}

/// Response of POST /api/translate: one result per clip, in upload order (zip: name order).
public sealed record TranslateResponse(IReadOnlyList<TranslationResult> Translations);
