using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartModel: a shared token embedding (padding_idx = pad) used by both the
/// encoder and the decoder (the same module, so the weights are tied), the encoder and the decoder.
public sealed class MBartModel : nn.Module<MBartInputs, (MBartEncoderOutput Encoder, MBartDecoderOutput Decoder)>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly Embedding shared;
    private readonly MBartEncoder encoder;
    private readonly MBartDecoder decoder;
#pragma warning restore IDE1006

    public MBartModel(MBartConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartModel))
    {
        config.Validate();
        Config = config;
        shared = MBartLayers.Embedding(config.VocabSize, config.DModel, config.PadTokenId, config.InitStd, device, dtype);
        encoder = new MBartEncoder(config, shared, device, dtype);
        decoder = new MBartDecoder(config, shared, device, dtype);
        RegisterComponents();
        MBartLayers.DetachFromDisposeScopes(this);
    }

    public MBartConfig Config { get; }

    /// The token embedding shared by encoder, decoder and (transposed) the LM head: (V, D).
    public Embedding Shared => shared;

    public MBartEncoder Encoder => encoder;

    public MBartDecoder Decoder => decoder;

    public override (MBartEncoderOutput Encoder, MBartDecoderOutput Decoder) forward(MBartInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        var decoderInputIds = inputs.DecoderInputIds
            ?? MBartLoss.ShiftTokensRight(inputs.InputIds ?? throw new ArgumentException("give decoder input ids (or labels, or input ids to shift)"), Config.PadTokenId);
        var encoderOutput = inputs.EncoderOutput
            ?? encoder.call(inputs.InputIds, inputs.AttentionMask, inputs.InputsEmbeds, inputs.OutputHiddenStates);
        var decoderOutput = decoder.call(decoderInputIds, encoderOutput.LastHiddenState, inputs.AttentionMask, inputs.DecoderAttentionMask, null, inputs.OutputHiddenStates);
        if (inputs.EncoderOutput is null)
            KeepOutside(encoderOutput.LastHiddenState, encoderOutput.HiddenStates);
        KeepOutside(decoderOutput.LastHiddenState, decoderOutput.HiddenStates);
        return (encoderOutput, decoderOutput);
    }

    private static void KeepOutside(Tensor last, IReadOnlyList<Tensor>? all)
    {
        last.MoveToOuterDisposeScope();
        if (all is not null)
            foreach (var t in all)
                t.MoveToOuterDisposeScope();
    }
}
