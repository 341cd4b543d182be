namespace PhoenixSlt.Web.Services.Translation;

public static class TranslationServiceCollectionExtensions
{
    /// The translation service (options section Phoenix:Translation) and the checkpoint resolver.
    public static IServiceCollection AddPhoenixTranslation(this IServiceCollection services)
    {
        services.AddOptions<TranslationOptions>()
            .BindConfiguration(TranslationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TranslationService>();
        services.AddSingleton<TranslationCheckpoints>();
        return services;
    }
}
