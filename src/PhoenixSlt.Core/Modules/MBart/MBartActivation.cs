using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// The feed-forward activations of transformers' ACT2FN that mBART configs use.
public static class MBartActivation
{
    public const string KnownNames = "gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish";

    public static bool IsKnown(string name) => name is "gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu" or "silu" or "swish";

    /// Applies the activation named <paramref name="name"/>: "gelu" is the exact erf GELU.
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => F.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => F.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "relu" => F.relu(x),
        "silu" or "swish" => F.silu(x),
        _ => throw new ArgumentException($"activation \"{name}\" is not supported (use {KnownNames})", nameof(name)),
    };
}
