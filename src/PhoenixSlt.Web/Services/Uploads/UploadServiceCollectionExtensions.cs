using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Services.Uploads;

public static class UploadServiceCollectionExtensions
{
    /// The upload budget (options section Phoenix:Uploads, checked at start against the largest upload) and the
    /// staging of uploads in temporary files.
    public static IServiceCollection AddPhoenixUploads(this IServiceCollection services)
    {
        services.AddOptions<UploadOptions>()
            .BindConfiguration(UploadOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();
        services.AddSingleton<UploadBudget>();
        services.AddSingleton<UploadStaging>();
        return services;
    }
}

/// The budget must admit at least one largest upload, or every upload would be answered 503.
public sealed class UploadOptionsValidator(IOptions<TranslationOptions> translation) : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long largest = UploadOptions.MaxRequestBytes(translation.Value.MaxUploadBytes);
        return options.MaxInFlightBytes < largest
            ? ValidateOptionsResult.Fail($"{UploadOptions.SectionName}:MaxInFlightMb ({options.MaxInFlightMb} MiB) must hold at least one largest upload request, {TranslationOptions.SectionName}:MaxUploadBytes + 1 MiB of form overhead ({largest} bytes); raise it or lower MaxUploadBytes.")
            : ValidateOptionsResult.Success;
    }
}
