using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Saving and strictly loading a module's state dict as model.safetensors. Tied tensors (mBART's shared embedding,
/// which the encoder, the decoder and the LM head all use) are written once under their first name and restored
/// into every alias by the sharing itself.
public static class ModelWeights
{
    /// Each distinct tensor of the state dict once, under its first name.
    public static IReadOnlyList<KeyValuePair<string, Tensor>> ForSaving(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Groups(module).Select(g => new KeyValuePair<string, Tensor>(g.Names[0], g.Tensor)).ToList();
    }

    /// Copies the weights of <paramref name="folder"/> (model.safetensors or shards) into <paramref name="module"/>.
    /// Every tensor of the module must be found under one of its names and every tensor of the file must have a
    /// place; <see cref="CheckpointFormatException"/> names the file and the differing tensors otherwise (shape
    /// mismatches included).
    public static void Load(nn.Module module, string folder)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var weights = SafetensorsWeights.Open(folder);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        using (no_grad())
        {
            foreach (var (names, tensor) in Groups(module))
            {
                string? source = names.FirstOrDefault(weights.Contains);
                if (source is null)
                {
                    missing.Add(names[0]);
                    continue;
                }
                var info = weights.Info(source);
                if (!info.Shape.SequenceEqual(tensor.shape))
                    throw new CheckpointFormatException(weights.Source,
                        $"tensor '{source}' has shape ({string.Join(", ", info.Shape)}) but the model expects ({string.Join(", ", tensor.shape)}); the checkpoint's model_config does not describe these weights");
                weights.ReadInto(source, tensor);
                used.UnionWith(names.Where(weights.Contains));
            }
        }
        var unexpected = weights.Names.Where(n => !used.Contains(n)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new CheckpointFormatException(weights.Source,
                $"the weights do not match the model: missing {List(missing)}; unexpected {List(unexpected)}. Use a checkpoint written by the same phase and configuration");
    }

    private static List<(List<string> Names, Tensor Tensor)> Groups(nn.Module module) => TiedTensors.Group(module);

    private static string List(List<string> names)
        => names.Count == 0 ? "none" : string.Join(", ", names.Take(6)) + (names.Count > 6 ? $", … ({names.Count} in all)" : "");
}
