using TorchSharp.Modules;

namespace PhoenixSlt.Core.Modules;

/// Trainable parameters that share an optimizer setting (e.g. a learning rate), with their state-dict names.
public sealed record ParameterGroup(string Name, IReadOnlyList<string> Names, IReadOnlyList<Parameter> Parameters)
{
    public long Count => Parameters.Sum(p => p.numel());
}
