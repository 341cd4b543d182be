using PhoenixSlt.Core.Modules;
using TorchSharp.Modules;

namespace PhoenixSlt.Training;

/// One AdamW parameter group built from a named <see cref="ParameterGroup"/>: its decayed or undecayed half.
/// <param name="Name">The named group (encoder, decoder, …) whose learning rate it follows.</param>
/// <param name="Decayed">True for the half with weight decay (parameters of 2 or more dimensions).</param>
/// <param name="PeakLearningRate">The group's learning rate before the schedule's multiplier.</param>
public sealed record OptimizerGroup(string Name, bool Decayed, double PeakLearningRate, AdamW.ParamGroup Group);

/// Builds TorchSharp's AdamW with one pair of parameter groups per named group: matrices and embeddings
/// (dim ≥ 2) with weight decay, biases and norm scales (dim &lt; 2) without, as nanoGPT does. Every option is
/// passed explicitly: TorchSharp's defaults differ from PyTorch's (weight decay 0; beta2 0.99 in the factory).
public static class OptimizerFactory
{
    public static (AdamW Optimizer, IReadOnlyList<OptimizerGroup> Groups) CreateAdamW(
        IReadOnlyList<ParameterGroup> groups, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        var built = new List<OptimizerGroup>();
        foreach (var group in groups)
        {
            double lr = options.LearningRateOf(group.Name);
            var decayed = group.Parameters.Where(p => p.dim() >= 2).ToList();
            var undecayed = group.Parameters.Where(p => p.dim() < 2).ToList();
            if (decayed.Count > 0)
                built.Add(new OptimizerGroup(group.Name, true, lr, ParamGroup(decayed, lr, options.WeightDecay, options)));
            if (undecayed.Count > 0)
                built.Add(new OptimizerGroup(group.Name, false, lr, ParamGroup(undecayed, lr, 0.0, options)));
        }
        if (built.Count == 0)
            throw new TrainingConfigurationException("the model has no trainable parameters (everything is frozen); unfreeze a component to train it");
        var optimizer = new AdamW(built.Select(g => g.Group), built[0].PeakLearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay);
        return (optimizer, built);
    }

    /// Sets every group's learning rate to its peak times <paramref name="multiplier"/>.
    public static void SetLearningRates(IReadOnlyList<OptimizerGroup> groups, double multiplier)
    {
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var group in groups)
            group.Group.LearningRate = group.PeakLearningRate * multiplier;
    }

    /// The current learning rate of each named group.
    public static IReadOnlyDictionary<string, double> LearningRates(IReadOnlyList<OptimizerGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var group in groups)
            rates.TryAdd(group.Name, group.Group.LearningRate);
        return rates;
    }

    private static AdamW.ParamGroup ParamGroup(List<Parameter> parameters, double lr, double weightDecay, TrainerOptions options)
        => new(parameters, lr, options.Beta1, options.Beta2, options.Epsilon, weightDecay);
}
