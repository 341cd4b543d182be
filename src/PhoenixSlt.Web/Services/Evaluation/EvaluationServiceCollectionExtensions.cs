namespace PhoenixSlt.Web.Services.Evaluation;

public static class EvaluationServiceCollectionExtensions
{
    /// Checkpoint evaluations (options section Phoenix:Evaluation, queue, runner), comparisons and mBART import.
    /// Needs <see cref="Runs.TrainingServiceCollectionExtensions.AddPhoenixTraining"/> (program and environment).
    public static IServiceCollection AddPhoenixEvaluation(this IServiceCollection services)
    {
        services.AddOptions<EvaluationOptions>()
            .BindConfiguration(EvaluationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<EvaluationQueue>();
        services.AddSingleton<EvaluationNotifier>();
        services.AddSingleton<EvaluationService>();
        services.AddSingleton<MBartImport>();
        services.AddHostedService<EvaluationRunner>();
        return services;
    }
}
