namespace PhoenixSlt.Web.Services.Evaluation;

public static class EvaluationServiceCollectionExtensions
{
    /// Checkpoint evaluations (options section Phoenix:Evaluation, runner, service), comparisons and mBART import.
    /// Needs <see cref="Runs.TrainingServiceCollectionExtensions.AddPhoenixTraining"/> (program, environment and the
    /// training supervisor's device slots).
    public static IServiceCollection AddPhoenixEvaluation(this IServiceCollection services)
    {
        services.AddOptions<EvaluationOptions>()
            .BindConfiguration(EvaluationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<EvaluationNotifier>();
        services.AddSingleton<EvaluationRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<EvaluationRunner>());
        services.AddSingleton<EvaluationService>();
        services.AddSingleton<MBartImport>();
        return services;
    }
}
