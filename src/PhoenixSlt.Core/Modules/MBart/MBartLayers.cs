using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Builders for the standard layers of mBART with transformers' MBartPreTrainedModel._init_weights:
/// Linear and Embedding weights ~ N(0, init_std), biases 0, the padding row of an embedding 0, LayerNorm 1/0.
internal static class MBartLayers
{
    public static AmpLinear Linear(long inFeatures, long outFeatures, double initStd, Device? device, ScalarType? dtype)
    {
        var linear = new AmpLinear(inFeatures, outFeatures, hasBias: true, device: device, dtype: dtype);
        using (no_grad())
        {
            nn.init.normal_(linear.weight, 0, initStd);
            nn.init.zeros_(linear.bias!);
        }
        return linear;
    }

    public static Embedding Embedding(long count, long dim, long? paddingIdx, double initStd, Device? device, ScalarType? dtype)
    {
        var embedding = nn.Embedding(count, dim, padding_idx: paddingIdx, device: device, dtype: dtype);
        using (no_grad())
        {
            nn.init.normal_(embedding.weight!, 0, initStd);
            if (paddingIdx is long pad && embedding.weight!.device_type != DeviceType.META)
                embedding.weight[pad].zero_();
        }
        return embedding;
    }

    /// Detaches every parameter and buffer of <paramref name="module"/> from dispose scopes, so that a model built
    /// inside a <c>NewDisposeScope()</c> outlives the scope.
    public static void DetachFromDisposeScopes(nn.Module module)
    {
        foreach (var (_, parameter) in module.named_parameters())
            parameter.DetachFromDisposeScope();
        foreach (var (_, buffer) in module.named_buffers())
            buffer.DetachFromDisposeScope();
    }

    public static AmpLayerNorm LayerNorm(long dim, Device? device, ScalarType? dtype)
        => new(dim, MBartConfig.LayerNormEps, device, dtype);
}
