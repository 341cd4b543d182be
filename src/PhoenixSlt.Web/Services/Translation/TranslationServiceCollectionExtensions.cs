using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Translation;

public static class TranslationServiceCollectionExtensions
{
    /// The translation service (options section Phoenix:Translation) and the checkpoint resolver.
    public static IServiceCollection AddPhoenixTranslation(this IServiceCollection services)
    {
        services.AddOptions<TranslationOptions>()
            .BindConfiguration(TranslationOptions.SectionName)
            .Configure<IOptions<TrainingOptions>>((translation, training) => translation.Threads ??= training.Value.ThreadsPerProcess())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TranslationService>();
        services.AddSingleton<TranslationCheckpoints>();
        return services;
    }
}
