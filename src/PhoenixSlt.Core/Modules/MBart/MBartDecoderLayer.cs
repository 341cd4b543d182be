using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartDecoderLayer (pre-LayerNorm): causal self-attention, cross-attention
/// over the encoder output, feed-forward, each as x = x + Sublayer(LayerNorm(x)).
public sealed class MBartDecoderLayer : nn.Module<Tensor, Tensor?, Tensor, Tensor?, KeyValueCache?, KeyValueCache?, Tensor>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly MBartAttention self_attn;
    private readonly AmpLayerNorm self_attn_layer_norm;
    private readonly MBartAttention encoder_attn;
    private readonly AmpLayerNorm encoder_attn_layer_norm;
    private readonly AmpLinear fc1;
    private readonly AmpLinear fc2;
    private readonly AmpLayerNorm final_layer_norm;
#pragma warning restore IDE1006

    private readonly MBartConfig _config;

    public MBartDecoderLayer(MBartConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartDecoderLayer))
    {
        _config = config;
        self_attn = new MBartAttention(config.DModel, config.DecoderAttentionHeads, config.AttentionDropout, config.InitStd, device, dtype);
        self_attn_layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        encoder_attn = new MBartAttention(config.DModel, config.DecoderAttentionHeads, config.AttentionDropout, config.InitStd, device, dtype);
        encoder_attn_layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        fc1 = MBartLayers.Linear(config.DModel, config.DecoderFfnDim, config.InitStd, device, dtype);
        fc2 = MBartLayers.Linear(config.DecoderFfnDim, config.DModel, config.InitStd, device, dtype);
        final_layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        RegisterComponents();
    }

    /// <paramref name="hiddenStates"/>: (B, T, D) decoder states (T new positions).
    /// <paramref name="selfAttentionMask"/>: additive (B or 1, 1, T, past + T) causal (+ padding) mask, or null.
    /// <paramref name="encoderHiddenStates"/>: (B, S, D); <paramref name="encoderAttentionMask"/>: additive (B, 1, 1, S) or null.
    /// Caches (optional): self-attention keys/values grow by T; cross-attention keys/values are computed once.
    /// Returns (B, T, D).
    public override Tensor forward(Tensor hiddenStates, Tensor? selfAttentionMask, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, KeyValueCache? selfCache, KeyValueCache? crossCache)
    {
        using var scope = NewDisposeScope();
        var residual = hiddenStates;
        var x = self_attn.call(self_attn_layer_norm.call(hiddenStates), null, selfAttentionMask, selfCache); // (B,T,D)
        x = residual + F.dropout(x, _config.Dropout, training);

        residual = x;
        x = encoder_attn.call(encoder_attn_layer_norm.call(x), encoderHiddenStates, encoderAttentionMask, crossCache); // (B,T,D)
        x = residual + F.dropout(x, _config.Dropout, training);

        residual = x;
        var h = MBartActivation.Apply(_config.ActivationFunction, fc1.call(final_layer_norm.call(x))); // (B,T,D) -> (B,T,F)
        h = F.dropout(h, _config.ActivationDropout, training);
        h = F.dropout(fc2.call(h), _config.Dropout, training); // (B,T,F) -> (B,T,D)
        x = residual + h;
        return x.MoveToOuterDisposeScope();
    }
}
