using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Groups the entries of a module's state dict by the tensor behind them, so tied weights (mBART's shared embedding,
/// used by the encoder, the decoder and the LM head) are saved once. Handles identify a tensor only within one
/// state_dict() call, so the grouping uses a single call.
public static class TiedTensors
{
    /// Distinct tensors of <paramref name="module"/>'s state dict with all their names, in state-dict order
    /// (the first name is the canonical one).
    public static List<(List<string> Names, Tensor Tensor)> Group(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var groups = new List<(List<string> Names, Tensor Tensor)>();
        var byHandle = new Dictionary<IntPtr, List<string>>();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (byHandle.TryGetValue(tensor.Handle, out var names))
            {
                names.Add(name);
                continue;
            }
            names = [name];
            byHandle[tensor.Handle] = names;
            groups.Add((names, tensor));
        }
        return groups;
    }
}
