using Microsoft.Extensions.DependencyInjection.Extensions;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Hubs;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

public static class TrainingServiceCollectionExtensions
{
    /// Run queries, the run service, the notifier, the training supervisor (options section Phoenix:Training),
    /// SignalR with the hub broadcaster, and the OpenAPI document.
    public static IServiceCollection AddPhoenixTraining(this IServiceCollection services)
    {
        services.AddOptions<TrainingOptions>()
            .BindConfiguration(TrainingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunNotifier>();
        services.TryAddSingleton<IProcessProbe, ProcessControl>();
        services.AddSingleton<TrainingSupervisor>();
        services.AddHostedService(provider => provider.GetRequiredService<TrainingSupervisor>());
        services.AddSingleton<RunService>();
        services.AddSingleton<Groups.RunGroupService>();
        services.AddSingleton<Tags.TagService>();
        services.AddHostedService<SystemMetricsRecorder>();
        services.AddSignalR();
        services.AddHostedService<TrainingHubBroadcaster>();
        services.AddRunSpecHttpContract();
        return services;
    }
}
