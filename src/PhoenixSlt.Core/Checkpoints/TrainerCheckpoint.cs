using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Everything needed for an exact resume: the <see cref="TrainerState"/> scalars (trainer_state.json) and the
/// tensors (trainer_state.safetensors): optimizer moments (<see cref="OptimizerCheckpoint"/>) and random-generator
/// states (<c>rng.torch_cpu</c>: libtorch's default CPU generator, which drives dropout and randperm on CPU).
/// Dispose releases the tensors this object created (loaded tensors, RNG snapshots), never the optimizer's own.
public sealed class TrainerCheckpoint : IDisposable
{
    public const string RandomPrefix = "rng.";
    public const string TorchCpuGenerator = "torch_cpu";

    private readonly Dictionary<string, Tensor> _tensors;
    private readonly List<Tensor> _owned;
    private readonly string _source;

    private TrainerCheckpoint(TrainerState state, Dictionary<string, Tensor> tensors, List<Tensor> owned, string source)
    {
        State = state;
        _tensors = tensors;
        _owned = owned;
        _source = source;
    }

    public TrainerState State { get; }

    /// Tensors by name (optimizer.*, rng.*).
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// Snapshot of a trainer: <paramref name="state"/> plus, when given, the optimizer's state (by the names of
    /// <paramref name="namedParameters"/>) and, with <paramref name="captureRandomState"/>, the default CPU
    /// generator. The optimizer's tensors are referenced, not copied: save before the next optimizer step.
    public static TrainerCheckpoint Capture(
        TrainerState state,
        OptimizerHelper? optimizer = null,
        IEnumerable<(string Name, Parameter Parameter)>? namedParameters = null,
        bool captureRandomState = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var owned = new List<Tensor>();
        if (optimizer is not null)
        {
            var (info, moments) = OptimizerCheckpoint.Capture(optimizer,
                namedParameters ?? throw new ArgumentNullException(nameof(namedParameters), "name the optimizer's parameters (model.named_parameters())"));
            state = state with { Optimizer = info };
            foreach (var (name, tensor) in moments)
                tensors[name] = tensor;
        }
        var generators = new List<string>();
        if (captureRandomState)
        {
            var rng = torch.get_rng_state().DetachFromDisposeScope();
            owned.Add(rng);
            tensors[RandomPrefix + TorchCpuGenerator] = rng;
            generators.Add(TorchCpuGenerator);
        }
        state = state with { RandomStates = generators };
        return new TrainerCheckpoint(state, tensors, owned, "trainer state");
    }

    /// True when <paramref name="folder"/> holds trainer_state.json.
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, CheckpointFolder.TrainerStateFileName));

    /// Writes trainer_state.json and trainer_state.safetensors into <paramref name="folder"/>.
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        SafetensorsFile.Save(Path.Combine(folder, CheckpointFolder.TrainerTensorsFileName), _tensors);
        CheckpointJson.WriteFile(Path.Combine(folder, CheckpointFolder.TrainerStateFileName), State);
    }

    /// Reads the trainer state of <paramref name="folder"/>, or null when it has none (a weights-only checkpoint).
    /// <see cref="CheckpointFormatException"/> naming the file when it is corrupt, from a newer format or when
    /// trainer_state.safetensors lacks a tensor trainer_state.json refers to.
    public static TrainerCheckpoint? Load(string folder, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string statePath = Path.Combine(folder, CheckpointFolder.TrainerStateFileName);
        if (!File.Exists(statePath))
            return null;
        var state = CheckpointJson.ReadFile<TrainerState>(statePath, CheckpointFolder.TrainerStateFileName);
        if (state.FormatVersion > TrainerState.CurrentFormatVersion)
            throw new CheckpointFormatException(statePath, $"format_version {state.FormatVersion} is newer than this program understands ({TrainerState.CurrentFormatVersion}); update phoenix-slt");
        string tensorsPath = Path.Combine(folder, CheckpointFolder.TrainerTensorsFileName);
        if (!File.Exists(tensorsPath))
            throw new CheckpointFormatException(tensorsPath, $"missing, but {CheckpointFolder.TrainerStateFileName} is present; the checkpoint cannot resume training (start from its weights instead)");
        var tensors = SafetensorsFile.Load(tensorsPath, device);
        foreach (var tensor in tensors.Values)
            tensor.DetachFromDisposeScope();
        var checkpoint = new TrainerCheckpoint(state, tensors, [.. tensors.Values], tensorsPath);
        foreach (string generator in state.RandomStates)
            if (!tensors.ContainsKey(RandomPrefix + generator))
            {
                checkpoint.Dispose();
                throw new CheckpointFormatException(tensorsPath, $"random state '{generator}' listed in {CheckpointFolder.TrainerStateFileName} is missing");
            }
        return checkpoint;
    }

    /// Restores the optimizer state into <paramref name="optimizer"/> (see <see cref="OptimizerCheckpoint.Restore"/>).
    public void RestoreOptimizer(OptimizerHelper optimizer, IEnumerable<(string Name, Parameter Parameter)> namedParameters)
    {
        var info = State.Optimizer ?? throw new CheckpointFormatException(_source, "the checkpoint holds no optimizer state");
        OptimizerCheckpoint.Restore(optimizer, namedParameters, info, _tensors, _source);
    }

    /// Sets libtorch's default CPU generator to the saved state; false when none was saved.
    public bool RestoreRandomState()
    {
        if (!_tensors.TryGetValue(RandomPrefix + TorchCpuGenerator, out var rng))
            return false;
        using var cpuState = rng.device_type == DeviceType.CPU ? rng.alias() : rng.cpu();
        torch.set_rng_state(cpuState);
        return true;
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
            tensor.Dispose();
        _owned.Clear();
    }
}
