using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Amp;

/// Base of the autocast-aware layers (<see cref="AmpLinear"/>, <see cref="AmpConv1d"/>, <see cref="AmpLayerNorm"/>):
/// one tensor in, one tensor out, parameters held in fields named after their state-dict entries and exposed through
/// public properties whose setters Module.to() uses to swap in moved or converted parameters.
public abstract class AmpModule : nn.Module<Tensor, Tensor>
{
    protected AmpModule(string name) : base(name)
    {
    }

    /// Registers <paramref name="replacement"/> under <paramref name="name"/> in place of <paramref name="current"/>
    /// (disposed unless it is the same tensor) and returns it detached from dispose scopes.
    protected Parameter? Swap(string name, Parameter? current, Parameter? replacement)
    {
        if (current is not null && replacement is not null && current.Handle == replacement.Handle)
            return current;
        current?.Dispose();
        var detached = (Parameter?)replacement?.DetachFromDisposeScope();
        ConditionallyRegisterParameter(name, detached);
        return detached;
    }

    /// A new trainable parameter holding a copy of <paramref name="initialised"/> (a parameter of a freshly built
    /// TorchSharp module, whose initialisation is thereby reproduced exactly), detached from dispose scopes.
    protected static Parameter CopyOf(Tensor initialised)
    {
        ArgumentNullException.ThrowIfNull(initialised);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var copy = nn.Parameter(initialised.detach().clone(), requires_grad: true);
        return (Parameter)copy.DetachFromDisposeScope();
    }
}
