using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Training.Distributed;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Resume;

/// A two-layer regression with dropout between the layers (so every training step draws from libtorch's CPU
/// generator) on 8 fixed samples: fc1 in group "encoder", fc2 in group "decoder". Each epoch shuffles the samples
/// into batches of 2 with seed + epoch, independently of the global generator. Validation reports the mean squared
/// error of all samples in eval mode (no dropout) as val_loss.
internal sealed class DropoutRegressionTask : ITrainingTask
{
    public const int Samples = 8;
    public const int BatchSize = 2;

    private readonly Sequential _model;
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly int _seed;
    private readonly int _hidden;

    /// <param name="initSeed">Seed of the initial weights (a resumed run must overwrite them).</param>
    public DropoutRegressionTask(int seed, int initSeed, int hidden = 8, double dropout = 0.3)
    {
        _seed = seed;
        _hidden = hidden;
        _model = nn.Sequential(
            ("fc1", nn.Linear(3, hidden)),
            ("drop", nn.Dropout(dropout)),
            ("act", nn.ReLU()),
            ("fc2", nn.Linear(hidden, 2)));
        var init = new Generator((ulong)initSeed);
        using (no_grad())
            foreach (var (_, parameter) in _model.named_parameters())
                parameter.copy_(randn(parameter.shape, generator: init) * 0.5);
        var data = new Generator(5);
        _x = randn([Samples, 3], generator: data).DetachFromDisposeScope();
        _y = randn([Samples, 2], generator: data).DetachFromDisposeScope();
    }

    public TrainingPhase Phase => TrainingPhase.Text;
    public nn.Module Model => _model;
    public Device Device => CPU;
    public MetricGoal Goal { get; } = new(MetricNames.ValLoss, false);

    public JsonElement DescribeConfig() => JsonSerializer.SerializeToElement(new { model = "mlp", hidden = _hidden });

    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = _model.named_parameters().ToList();
        ParameterGroup Group(string name, string prefix)
        {
            var members = named.Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return new ParameterGroup(name, members.Select(p => p.name).ToList(), members.Select(p => p.parameter).ToList());
        }
        return [Group("encoder", "fc1."), Group("decoder", "fc2.")];
    }

    public IReadOnlyList<int[]> EpochBatches(int epoch, int rank, int worldSize)
    {
        var order = Enumerable.Range(0, Samples).ToArray();
        new Random(_seed + epoch).Shuffle(order);
        return order.Chunk(BatchSize).ToList();
    }

    public Tensor Loss(int[] batch, int epoch)
    {
        using var index = tensor(batch.Select(i => (long)i).ToArray());
        return nn.functional.mse_loss(_model.forward(_x.index_select(0, index)), _y.index_select(0, index));
    }

    public ValidationResult Validate(IProcessGroup group, IProgress<ValidationCount>? progress, CancellationToken cancellationToken)
    {
        double loss = nn.functional.mse_loss(_model.forward(_x), _y).item<float>();
        return new ValidationResult(new Dictionary<string, double> { [MetricNames.ValLoss] = loss }, []);
    }

    public CheckpointContent CreateCheckpoint(CheckpointRequest request)
    {
        var metadata = CheckpointMetadata.Create(CheckpointPhase.Text, new { hidden = _hidden }) with
        {
            Step = request.Step,
            Epoch = request.Epoch,
            Metrics = request.Metrics,
            BestMetric = request.Best,
        };
        return new CheckpointContent(metadata, ModelWeights.ForSaving(_model));
    }

    /// Every parameter's values by name.
    public Dictionary<string, float[]> Snapshot()
        => _model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    public void Dispose()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
