using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Captures and restores the state of TorchSharp's Adam/AdamW optimizers by parameter name: per-group options
/// (learning rate, betas, eps, weight decay, amsgrad) and per-parameter step counts as an
/// <see cref="OptimizerStateInfo"/>, moments as tensors named <c>optimizer.{parameter}.exp_avg</c>,
/// <c>.exp_avg_sq</c> and <c>.max_exp_avg_sq</c> (amsgrad). Restoring into a fresh optimizer over the same named
/// parameters continues training bit-for-bit as if it had never stopped.
public static class OptimizerCheckpoint
{
    public const string TensorPrefix = "optimizer.";
    public const string AdamWKind = "adamw";
    public const string AdamKind = "adam";

    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private const string MaxExpAvgSq = "max_exp_avg_sq";

    /// Name of a moment tensor of a parameter in trainer_state.safetensors.
    public static string TensorName(string parameter, string moment) => $"{TensorPrefix}{parameter}.{moment}";

    /// The optimizer's state. The returned tensors are the optimizer's own (not copies): write them before the
    /// next optimizer step. <see cref="ArgumentException"/> when a parameter of the optimizer is not among
    /// <paramref name="namedParameters"/>; <see cref="NotSupportedException"/> for optimizers other than Adam/AdamW.
    public static (OptimizerStateInfo Info, List<KeyValuePair<string, Tensor>> Tensors) Capture(
        OptimizerHelper optimizer, IEnumerable<(string Name, Parameter Parameter)> namedParameters)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        string kind = KindOf(optimizer);
        var names = NamesByHandle(namedParameters);
        var states = optimizer.state_dict().State;
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var groups = new List<OptimizerGroupState>();
        int index = 0;
        foreach (var group in Groups(optimizer))
        {
            var parameterNames = new List<string>();
            var steps = new List<long>();
            foreach (var parameter in group.Parameters)
            {
                if (!names.TryGetValue(parameter.Handle, out string? name))
                    throw new ArgumentException("the optimizer holds a parameter that is not among the named parameters given; pass the model's named_parameters()", nameof(namedParameters));
                var moments = Moments(states[index++]);
                parameterNames.Add(name);
                steps.Add(moments.Step);
                tensors.Add(new(TensorName(name, ExpAvg), moments.ExpAvg));
                tensors.Add(new(TensorName(name, ExpAvgSq), moments.ExpAvgSq));
                if (moments.MaxExpAvgSq is not null)
                    tensors.Add(new(TensorName(name, MaxExpAvgSq), moments.MaxExpAvgSq));
            }
            groups.Add(GroupState(group.Options, parameterNames, steps));
        }
        return (new OptimizerStateInfo(kind, groups), tensors);
    }

    /// Puts a captured state back into <paramref name="optimizer"/> (same kind, same groups with the same parameter
    /// names in the same order). Moments are copied into the optimizer's tensors (any device); options and step
    /// counts are set. <see cref="CheckpointFormatException"/> naming <paramref name="source"/> on any mismatch.
    public static void Restore(
        OptimizerHelper optimizer,
        IEnumerable<(string Name, Parameter Parameter)> namedParameters,
        OptimizerStateInfo info,
        IReadOnlyDictionary<string, Tensor> tensors,
        string source)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(tensors);
        string kind = KindOf(optimizer);
        if (!string.Equals(info.Kind, kind, StringComparison.Ordinal))
            throw new CheckpointFormatException(source, $"the saved optimizer is {info.Kind} but the trainer uses {kind}; resume with the same optimizer");
        var names = NamesByHandle(namedParameters);
        var groups = Groups(optimizer);
        if (groups.Count != info.Groups.Count)
            throw new CheckpointFormatException(source, $"the saved optimizer has {info.Groups.Count} parameter group(s) but the trainer's has {groups.Count}; resume with the same model and freeze settings");
        var states = optimizer.state_dict().State;

        using var noGrad = no_grad();
        int index = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            var saved = info.Groups[g];
            var current = groups[g].Parameters.Select(p => names.TryGetValue(p.Handle, out var n) ? n : "(unnamed)").ToList();
            if (saved.Steps.Count != saved.Parameters.Count)
                throw new CheckpointFormatException(source, $"parameter group {g} lists {saved.Parameters.Count} parameters but {saved.Steps.Count} step counts");
            if (!current.SequenceEqual(saved.Parameters, StringComparer.Ordinal))
                throw new CheckpointFormatException(source, $"parameter group {g} does not hold the same parameters: saved {Describe(saved.Parameters)}, trainer {Describe(current)}; resume with the same model and freeze settings");
            SetOptions(groups[g].Options, saved);
            for (int i = 0; i < saved.Parameters.Count; i++)
                RestoreMoments(states[index++], saved.Parameters[i], saved.Steps[i], saved.AmsGrad, tensors, source);
        }
    }

    private static string KindOf(OptimizerHelper optimizer) => optimizer switch
    {
        AdamW => AdamWKind,
        Adam => AdamKind,
        _ => throw new NotSupportedException($"saving the state of {optimizer.GetType().Name} is not supported (use Adam or AdamW)"),
    };

    private static List<ParamGroup> Groups(OptimizerHelper optimizer) => optimizer.ParamGroups.Cast<ParamGroup>().ToList();

    private static Dictionary<IntPtr, string> NamesByHandle(IEnumerable<(string Name, Parameter Parameter)> namedParameters)
    {
        ArgumentNullException.ThrowIfNull(namedParameters);
        var names = new Dictionary<IntPtr, string>();
        foreach (var (name, parameter) in namedParameters)
            names.TryAdd(parameter.Handle, name);
        return names;
    }

    private static string Describe(IReadOnlyList<string> names)
        => names.Count <= 4 ? $"[{string.Join(", ", names)}]" : $"[{string.Join(", ", names.Take(4))}, … ({names.Count} in all)]";

    private readonly record struct AdamMoments(long Step, Tensor ExpAvg, Tensor ExpAvgSq, Tensor? MaxExpAvgSq);

    private static AdamMoments Moments(OptimizerState state) => state switch
    {
        AdamW.State s => new(s.step, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq),
        Adam.State s => new(s.step, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq),
        _ => throw new NotSupportedException($"unexpected optimizer state {state.GetType().FullName}"),
    };

    private static OptimizerGroupState GroupState(OptimizerOptions options, List<string> parameters, List<long> steps) => options switch
    {
        AdamW.Options o => new OptimizerGroupState
        {
            LearningRate = o.LearningRate ?? 0,
            InitialLearningRate = o.InitialLearningRate,
            Beta1 = o.beta1 ?? 0,
            Beta2 = o.beta2 ?? 0,
            Eps = o.eps ?? 0,
            WeightDecay = o.weight_decay ?? 0,
            AmsGrad = o.amsgrad ?? false,
            Maximize = o.maximize ?? false,
            Parameters = parameters,
            Steps = steps,
        },
        Adam.Options o => new OptimizerGroupState
        {
            LearningRate = o.LearningRate ?? 0,
            InitialLearningRate = o.InitialLearningRate,
            Beta1 = o.beta1 ?? 0,
            Beta2 = o.beta2 ?? 0,
            Eps = o.eps ?? 0,
            WeightDecay = o.weight_decay ?? 0,
            AmsGrad = o.amsgrad ?? false,
            Maximize = o.maximize ?? false,
            Parameters = parameters,
            Steps = steps,
        },
        _ => throw new NotSupportedException($"unexpected optimizer options {options.GetType().FullName}"),
    };

    private static void SetOptions(OptimizerOptions options, OptimizerGroupState saved)
    {
        options.LearningRate = saved.LearningRate;
        options.InitialLearningRate = saved.InitialLearningRate;
        switch (options)
        {
            case AdamW.Options o:
                (o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, o.maximize) = (saved.Beta1, saved.Beta2, saved.Eps, saved.WeightDecay, saved.AmsGrad, saved.Maximize);
                break;
            case Adam.Options o:
                (o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, o.maximize) = (saved.Beta1, saved.Beta2, saved.Eps, saved.WeightDecay, saved.AmsGrad, saved.Maximize);
                break;
        }
    }

    private static void RestoreMoments(OptimizerState state, string parameter, long step, bool amsgrad,
        IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var current = Moments(state);
        CopyInto(current.ExpAvg, Required(tensors, TensorName(parameter, ExpAvg), source), source);
        CopyInto(current.ExpAvgSq, Required(tensors, TensorName(parameter, ExpAvgSq), source), source);
        Tensor? max = null;
        if (amsgrad)
        {
            var saved = Required(tensors, TensorName(parameter, MaxExpAvgSq), source);
            if (current.MaxExpAvgSq is null)
            {
                max = zeros_like(current.ExpAvgSq).DetachFromDisposeScope();
                CopyInto(max, saved, source);
            }
            else
            {
                CopyInto(current.MaxExpAvgSq, saved, source);
                max = current.MaxExpAvgSq;
            }
        }
        else
        {
            current.MaxExpAvgSq?.Dispose();
        }
        switch (state)
        {
            case AdamW.State s:
                (s.step, s.max_exp_avg_sq) = (step, max!);
                break;
            case Adam.State s:
                (s.step, s.max_exp_avg_sq) = (step, max!);
                break;
        }
    }

    private static Tensor Required(IReadOnlyDictionary<string, Tensor> tensors, string name, string source)
        => tensors.TryGetValue(name, out var tensor) ? tensor
            : throw new CheckpointFormatException(source, $"optimizer tensor '{name}' is missing from {CheckpointFolder.TrainerTensorsFileName}");

    private static void CopyInto(Tensor destination, Tensor saved, string source)
    {
        if (!destination.shape.SequenceEqual(saved.shape))
            throw new CheckpointFormatException(source, $"optimizer tensor of shape [{string.Join(", ", saved.shape)}] does not fit the parameter's [{string.Join(", ", destination.shape)}]; resume with the same model configuration");
        destination.copy_(saved);
    }
}
