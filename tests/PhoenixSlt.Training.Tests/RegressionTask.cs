using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests;

/// A linear regression as an <see cref="ITrainingTask"/>: y = W x + b on fixed data, mean squared error over the
/// batch (a per-sample mean, no batch-dependent layer), the weight in group "encoder", the bias in group "decoder".
/// Validation returns scripted values of <see cref="MetricName"/>.
internal sealed class RegressionTask : ITrainingTask
{
    public const string MetricName = "val_loss";

    private readonly Linear _model;
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly Func<int, int[][]> _batches;
    private readonly Queue<double> _validation;
    private readonly bool _zeroLoss;

    /// <param name="batches">The micro-batches of an epoch (dataset indices 0..7).</param>
    /// <param name="validation">Values returned by successive validations (NaN when exhausted).</param>
    /// <param name="zeroLoss">Loss 0 · Σ parameters: every gradient is exactly zero.</param>
    public RegressionTask(Func<int, int[][]> batches, IEnumerable<double>? validation = null, bool zeroLoss = false, bool higherIsBetter = false)
    {
        _batches = batches;
        _validation = new Queue<double>(validation ?? []);
        _zeroLoss = zeroLoss;
        Goal = new MetricGoal(MetricName, higherIsBetter);
        _model = nn.Linear(3, 2);
        using (no_grad())
        {
            _model.weight!.copy_(tensor(new[] { 0.5f, -0.2f, 0.1f, 0.3f, 0.8f, -0.6f }, [2, 3]));
            _model.bias!.copy_(tensor(new[] { 0.05f, -0.1f }));
        }
        var generator = new Generator(5);
        _x = randn([8, 3], generator: generator).DetachFromDisposeScope();
        _y = randn([8, 2], generator: generator).DetachFromDisposeScope();
    }

    public TrainingPhase Phase => TrainingPhase.Text;
    public nn.Module Model => _model;
    public Linear Linear => _model;
    public Device Device => CPU;
    public MetricGoal Goal { get; }
    public int Validations { get; private set; }

    public JsonElement DescribeConfig() => JsonSerializer.SerializeToElement(new { model = "linear" });

    public IReadOnlyList<ParameterGroup> ParameterGroups() =>
    [
        new ParameterGroup("encoder", ["weight"], [_model.weight!]),
        new ParameterGroup("decoder", ["bias"], [_model.bias!]),
    ];

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize) => _batches(epoch);

    /// Loss calls (0-based) whose loss is multiplied by +∞, so that every gradient of that step is inf/NaN.
    public HashSet<int> PoisonedCalls { get; } = [];

    /// The autocast type seen by each loss call and each validation (null = autocast off).
    public List<TorchSharp.torch.ScalarType?> AutocastInLoss { get; } = [];
    public List<TorchSharp.torch.ScalarType?> AutocastInValidation { get; } = [];

    public Tensor Loss(int[] batch, int epoch)
    {
        AutocastInLoss.Add(Core.Amp.Autocast.Dtype);
        if (PoisonedCalls.Contains(AutocastInLoss.Count - 1))
            return Clean(batch) * float.PositiveInfinity;
        return Clean(batch);
    }

    private Tensor Clean(int[] batch)
    {
        if (_zeroLoss)
            return (_model.weight!.sum() + _model.bias!.sum()) * 0;
        using var index = tensor(batch.Select(i => (long)i).ToArray());
        var prediction = _model.forward(_x.index_select(0, index));                 // (b, 3) -> (b, 2)
        return nn.functional.mse_loss(prediction, _y.index_select(0, index));          // mean over b·2 elements
    }

    public ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken)
    {
        Validations++;
        AutocastInValidation.Add(Core.Amp.Autocast.Dtype);
        double value = _validation.Count > 0 ? _validation.Dequeue() : double.NaN;
        return new ValidationResult(new Dictionary<string, double> { [MetricName] = value }, []);
    }

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        var metadata = CheckpointMetadata.Create(CheckpointPhase.Text, new { in_features = 3, out_features = 2 }) with
        {
            Step = request.Step,
            Epoch = request.Epoch,
            Metrics = request.Metrics,
            BestMetric = request.Best,
        };
        return new CheckpointContent(metadata, ModelWeights.ForSaving(_model));
    }

    /// Every loss of the full data set at the current parameters (for checks).
    public float FullLoss(int[] batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Loss(batch, 0).item<float>();
    }

    public void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
