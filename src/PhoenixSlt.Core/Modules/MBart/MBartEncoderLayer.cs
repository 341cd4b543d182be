using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartEncoderLayer (pre-LayerNorm):
/// x = x + SelfAttn(self_attn_layer_norm(x)); x = x + fc2(act(fc1(final_layer_norm(x)))).
public sealed class MBartEncoderLayer : nn.Module<Tensor, Tensor?, Tensor>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly MBartAttention self_attn;
    private readonly AmpLayerNorm self_attn_layer_norm;
    private readonly AmpLinear fc1;
    private readonly AmpLinear fc2;
    private readonly AmpLayerNorm final_layer_norm;
#pragma warning restore IDE1006

    private readonly MBartConfig _config;

    public MBartEncoderLayer(MBartConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartEncoderLayer))
    {
        _config = config;
        self_attn = new MBartAttention(config.DModel, config.EncoderAttentionHeads, config.AttentionDropout, config.InitStd, device, dtype);
        self_attn_layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        fc1 = MBartLayers.Linear(config.DModel, config.EncoderFfnDim, config.InitStd, device, dtype);
        fc2 = MBartLayers.Linear(config.EncoderFfnDim, config.DModel, config.InitStd, device, dtype);
        final_layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        RegisterComponents();
    }

    /// <paramref name="hiddenStates"/>: (B, S, D); <paramref name="attentionMask"/>: additive (B, 1, 1 or S, S) or null.
    /// Returns (B, S, D).
    public override Tensor forward(Tensor hiddenStates, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var residual = hiddenStates;
        var x = self_attn.call(self_attn_layer_norm.call(hiddenStates), null, attentionMask, null); // (B,S,D)
        x = residual + F.dropout(x, _config.Dropout, training);

        residual = x;
        var h = MBartActivation.Apply(_config.ActivationFunction, fc1.call(final_layer_norm.call(x))); // (B,S,D) -> (B,S,F)
        h = F.dropout(h, _config.ActivationDropout, training);
        h = F.dropout(fc2.call(h), _config.Dropout, training); // (B,S,F) -> (B,S,D)
        x = residual + h;
        return MBartNumerics.ClampHalfOverflow(x).MoveToOuterDisposeScope();
    }
}
