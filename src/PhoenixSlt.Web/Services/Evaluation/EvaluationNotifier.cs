namespace PhoenixSlt.Web.Services.Evaluation;

/// Publishes every change of an evaluation's status (pages refresh on it).
public sealed class EvaluationNotifier() : Notifier<EvaluationInfo?>(null);
