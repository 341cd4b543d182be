using PhoenixSlt.Training.Distributed;
using TorchSharp.Modules;

namespace PhoenixSlt.Training;

/// Makes the gradients of every rank equal before the optimizer step (data parallelism): after it, each gradient
/// is the mean over ranks of the ranks' gradients.
public interface IGradientSynchronizer
{
    void Synchronize(IReadOnlyList<Parameter> parameters, CancellationToken cancellationToken);
}

/// Averages gradients in flat buckets with <see cref="GradientBucketer"/> (torch DDP's reducer); nothing to do for a
/// single process. The bucketer is built on the first call, over the parameters the trainer passes (the same
/// parameters in the same order on every rank).
public sealed class BucketedGradientSynchronizer(IProcessGroup group) : IGradientSynchronizer
{
    private readonly IProcessGroup _group = group ?? throw new ArgumentNullException(nameof(group));
    private GradientBucketer? _bucketer;
    private IReadOnlyList<Parameter>? _parameters;

    public void Synchronize(IReadOnlyList<Parameter> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_group.WorldSize == 1)
            return;
        if (_bucketer is null || !ReferenceEquals(parameters, _parameters))
        {
            _bucketer = new GradientBucketer(_group, parameters);
            _parameters = parameters;
        }
        _bucketer.AllReduceGradients(cancellationToken);
    }
}
