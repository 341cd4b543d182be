using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Result of copying one component's weights out of another model's state dict.
/// <param name="Copied">Tensors copied (names relative to the component).</param>
/// <param name="Missing">Tensors of the component that the source lacks (left unchanged).</param>
/// <param name="Unexpected">Source tensors under the prefix that the component has no place for (ignored).</param>
public sealed record WeightTransferReport(IReadOnlyList<string> Copied, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected)
{
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0;

    /// One line for logs.
    public string Summary => $"copied {Copied.Count} tensors; missing: {List(Missing)}; unexpected: {List(Unexpected)}";

    private static string List(IReadOnlyList<string> names, int max = 8)
        => names.Count == 0 ? "none" : string.Join(", ", names.Take(max)) + (names.Count > max ? $", … ({names.Count} in all)" : "");
}

/// Name-based weight copies between modules and freezing helpers.
internal static class WeightTransfer
{
    /// Copies source["<paramref name="prefix"/>" + name] into every parameter and buffer <c>name</c> of
    /// <paramref name="target"/>'s state dict. Shapes must agree (<see cref="ArgumentException"/> naming both);
    /// values are converted to the target's dtype and device.
    public static WeightTransferReport CopyByName(nn.Module target, IReadOnlyDictionary<string, Tensor> source, string prefix)
    {
        var targetState = target.state_dict();
        var copied = new List<string>();
        var missing = new List<string>();
        using (no_grad())
        {
            foreach (var (name, tensor) in targetState)
            {
                if (!source.TryGetValue(prefix + name, out var value))
                {
                    missing.Add(name);
                    continue;
                }
                if (!value.shape.SequenceEqual(tensor.shape))
                    throw new ArgumentException($"{prefix}{name} has shape ({Shape(value)}) in the source but ({Shape(tensor)}) in the model; the two configs differ — build the model with the source's config");
                tensor.copy_(value);
                copied.Add(name);
            }
        }
        var unexpected = source.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !targetState.ContainsKey(k[prefix.Length..]))
            .ToList();
        return new WeightTransferReport(copied, missing, unexpected);
    }

    public static void SetRequiresGrad(IEnumerable<Parameter> parameters, bool requiresGrad)
    {
        foreach (var parameter in parameters)
            parameter.requires_grad = requiresGrad;
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
