using System.Threading.Channels;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Evaluation ids waiting for <see cref="EvaluationRunner"/> (one evaluation at a time, oldest first).
public sealed class EvaluationQueue
{
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(int evaluationId) => _channel.Writer.TryWrite(evaluationId);

    public ValueTask<int> DequeueAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAsync(cancellationToken);
}

/// Publishes every change of an evaluation's status (pages refresh on it).
public sealed class EvaluationNotifier() : Notifier<EvaluationInfo?>(null);
