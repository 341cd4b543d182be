using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using PhoenixSlt.Web.Hubs;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services.Translation;
using PhoenixSlt.Web.Services.Uploads;

namespace PhoenixSlt.Web.Api;

/// POST /api/translate: translate uploaded features (multipart form) with an slt checkpoint; the SignalR hub
/// /hubs/translate pushes each result to the caller as it finishes.
public static class TranslateApi
{
    public const string KeypointsField = "kpts";
    public const string SiglipField = "siglip";
    public const string ZipField = "zip";

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
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable) // queue full or upload budget exhausted, with Retry-After
            // The form is read by hand; cookie-authenticated calls are checked by ApiAntiforgeryMiddleware.
            .DisableAntiforgery();
        endpoints.MapHub<TranslateHub>(TranslateHub.Route);
        return endpoints;
    }

    public static async Task<IResult> TranslateAsync(HttpContext context, TranslationService service, TranslationCheckpoints checkpoints,
        IHubContext<TranslateHub> hub, UploadBudget budget, UploadStaging staging, Microsoft.Extensions.Options.IOptions<Options.BeamOptions> beamLimit)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(beamLimit);
        var options = service.Options;
        var cancellationToken = context.RequestAborted;
        long maxRequestBytes = UploadOptions.MaxRequestBytes(options.MaxUploadBytes);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = maxRequestBytes;
        if (!context.Request.HasFormContentType)
            return Invalid("form", "Send a multipart/form-data request with the files 'kpts' and 'siglip', or 'zip'.");
        if (context.Request.ContentLength > maxRequestBytes)
            return Invalid("files", $"The upload has {context.Request.ContentLength} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips.");

        // The bytes this request may hold are reserved before its body is read (a body without a length reserves
        // the most an upload may have); they are given back when the request ends, however it ends.
        using var lease = budget.TryAcquire(context.Request.ContentLength ?? maxRequestBytes);
        if (lease is null)
            return Busy(context, options, $"The portal holds {budget.InFlightBytes} bytes of uploads in flight (at most {budget.CapacityBytes}, Phoenix:Uploads:MaxInFlightMb); retry in {options.RetryAfterSeconds} s.");

        StagedForm form;
        try
        {
            form = await staging.ReadMultipartAsync(context.Request, options.MaxUploadBytes, options.MaxFilesPerUpload, cancellationToken).ConfigureAwait(false);
        }
        catch (UploadFormException ex)
        {
            return Invalid("files", ex.Message);
        }
        using (form)
        {
            if (FilesProblem(form.Files, options) is string fileProblem)
                return Invalid("files", fileProblem);
            string? beamsText = form.Field("beams");
            int beams = new Training.Specs.RunSpec().Beams;
            if (!string.IsNullOrWhiteSpace(beamsText) && (!int.TryParse(beamsText, NumberStyles.None, CultureInfo.InvariantCulture, out beams) || beamLimit.Value.Problem(beams) is not null))
                return Invalid("beams", $"Beams '{beamsText}' must be a whole number from 1 (greedy) to {beamLimit.Value.Max}.");
            var (checkpoint, checkpointProblem) = await checkpoints.ResolveAsync(form.Field("checkpoint"), cancellationToken).ConfigureAwait(false);
            if (checkpoint is null)
                return Invalid("checkpoint", checkpointProblem!);

            if (ValidateStaged(form.Files, lease, options, out long unpacked) is not { } validation)
                return Busy(context, options, $"The zip's files take {unpacked} bytes uncompressed, more than the upload budget has free now; retry in {options.RetryAfterSeconds} s.");
            form.Dispose(); // the decoded clips are all that is needed now: the temporary files go at once
            if (!validation.IsValid)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["files"] = [.. validation.Problems] },
                    title: "The upload is not valid.");

            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var tasks = service.SubmitAll(checkpoint.Folder, beams, validation.Clips, cancellation);
            if (tasks is null)
                return Busy(context, options, $"The translation queue is full; retry in {options.RetryAfterSeconds} s.");
            string? connectionId = form.Field("connectionId");
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
    }

    /// The clips of staged upload files as numpy would read them — a zip (its lease first grown to the zip's
    /// uncompressed size) or the keypoints/SigLIP pair — for this endpoint and the Translate page alike. Null when the
    /// upload budget cannot hold the zip's uncompressed bytes (<paramref name="unpackedBytes"/>).
    public static UploadValidation? ValidateStaged(IReadOnlyList<StagedFile> staged, UploadLease lease, TranslationOptions options, out long unpackedBytes)
    {
        ArgumentNullException.ThrowIfNull(staged);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(options);
        var files = staged.ToDictionary(f => f.Field, f => f.File, StringComparer.Ordinal);
        unpackedBytes = 0;
        if (!files.TryGetValue(ZipField, out var zip))
            return UploadValidator.ValidatePair(files[KeypointsField], files[SiglipField], options);
        if (UploadValidator.UncompressedBytes(zip) is long unpacked && !lease.TryGrowTo(Math.Min(unpacked, options.MaxUploadBytes)))
        {
            unpackedBytes = unpacked;
            return null;
        }
        return UploadValidator.ValidateZip(zip, options);
    }

    private static ProblemHttpResult Busy(HttpContext context, TranslationOptions options, string detail)
    {
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy");
    }

    private static async Task<TranslationResult> PushAsync(Task<TranslationResult> task, IHubContext<TranslateHub> hub, string? connectionId, CancellationToken cancellationToken)
    {
        var result = await task.ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(connectionId))
            await hub.Clients.Client(connectionId).SendAsync(TranslateHub.ResultMethod, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// The problem with the form's files (fields, count, size), or null: 'kpts' and 'siglip', or 'zip', once each.
    public static string? FilesProblem(IReadOnlyList<StagedFile> files, TranslationOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        if (files.Count > options.MaxFilesPerUpload)
            return $"The form holds {files.Count} files, more than the {options.MaxFilesPerUpload} accepted.";
        long total = files.Sum(f => f.File.Length);
        if (total > options.MaxUploadBytes)
            return $"The upload has {total} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips.";
        var unknown = files.Select(f => f.Field).Where(n => n is not (KeypointsField or SiglipField or ZipField)).Distinct().ToList();
        if (unknown.Count > 0)
            return $"Unknown file field(s) {string.Join(", ", unknown.Select(UploadValidator.Shown))}; send 'kpts' and 'siglip', or 'zip'.";
        if (files.GroupBy(f => f.Field).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            return $"The form holds {repeated.Count()} '{repeated.Key}' files; send one pair per request, or a zip for many clips.";
        bool Has(string field) => files.Any(f => f.Field == field);
        if (Has(ZipField) && (Has(KeypointsField) || Has(SiglipField)))
            return "Send either 'kpts' and 'siglip', or 'zip', not both.";
        if (!Has(ZipField) && (!Has(KeypointsField) || !Has(SiglipField)))
            return "Send both files of a clip: 'kpts' (keypoints .npy, (T, 75, 3) or (T, 225)) and 'siglip' (SigLIP .npy, (T', 768)), or a 'zip' of pairs.";
        return null;
    }

    private static ValidationProblem Invalid(string field, string message)
        => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");
}

/// Response of POST /api/translate: one result per clip, in upload order (zip: name order).
public sealed record TranslateResponse(IReadOnlyList<TranslationResult> Translations);
