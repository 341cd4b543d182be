using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PhoenixSlt.Web.Services.Runs;

public static class TrainingServiceCollectionExtensions
{
    /// Run queries, the run service, the notifier and the training supervisor (options section Phoenix:Training).
    public static IServiceCollection AddPhoenixTraining(this IServiceCollection services)
    {
        services.AddOptions<TrainingOptions>()
            .BindConfiguration(TrainingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunNotifier>();
        services.AddSingleton<TrainingSupervisor>();
        services.AddHostedService(provider => provider.GetRequiredService<TrainingSupervisor>());
        services.AddSingleton<RunService>();
        return services;
    }
}
