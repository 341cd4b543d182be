using MudBlazor.Services;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Bootstrap;
using PhoenixSlt.Web.Services.Datasets;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.SystemInfo;
using PhoenixSlt.Web.Services.Translation;
using PhoenixSlt.Web.Services.Uploads;

namespace PhoenixSlt.Web.Extensions;

public static class ServiceCollectionExtensions
{
    /// Registers options, the portal's services, Blazor (interactive server) and MudBlazor.
    public static IServiceCollection AddPhoenixServices(this IServiceCollection services)
    {
        services.AddOptions<PhoenixOptions>()
            .BindConfiguration(PhoenixOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<BeamOptions>()
            .BindConfiguration(BeamOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<FirstStartOptions>()
            .BindConfiguration(FirstStartOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<PhoenixPaths>();
        services.AddSingleton<BootstrapNotifier>();
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<DatasetOverviewCache>();
        services.AddSingleton<ISyntheticDatasetWriter, SyntheticPhoenixWriter>();
        services.AddHostedService<DatasetBootstrapper>();
        services.AddPhoenixDatabase();
        services.AddPhoenixSecurity();
        services.AddPhoenixTraining();
        services.AddPhoenixEvaluation();
        services.AddPhoenixTranslation();
        services.AddPhoenixUploads();
        services.AddSingleton<SystemInfoService>();

        // Error answers of the API carry application/problem+json bodies (see ApiStatusCodesMiddleware).
        services.AddProblemDetails();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        return services;
    }
}
