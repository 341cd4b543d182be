using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Decoding;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartForConditionalGeneration: <see cref="MBartModel"/> plus the LM head tied
/// to the shared embedding, logits = decoder_output · sharedᵀ + final_logits_bias (a (1, V) buffer, not a
/// parameter), loss = cross-entropy over the labels (ignoring -100). Implements
/// <see cref="IIncrementalDecoderModel"/> for batched greedy/beam search.
public sealed class MBartForConditionalGeneration : nn.Module<MBartInputs, MBartSeq2SeqLMOutput>, IIncrementalDecoderModel
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly MBartModel model;
    private readonly Tensor final_logits_bias; // (1, V) buffer
#pragma warning restore IDE1006

    public MBartForConditionalGeneration(MBartConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartForConditionalGeneration))
    {
        model = new MBartModel(config, device, dtype);
        final_logits_bias = zeros([1, config.VocabSize], dtype, device);
        RegisterComponents();
        MBartLayers.DetachFromDisposeScopes(this);
    }

    public MBartConfig Config => model.Config;

    public MBartModel Model => model;

    /// (1, V) bias added to the logits.
    public Tensor FinalLogitsBias => final_logits_bias;

    public int VocabSize => Config.VocabSize;

    public int PadTokenId => Config.PadTokenId;

    public int EosTokenId => Config.EosTokenId;

    public int BosTokenId => Config.BosTokenId;

    public int? DecoderStartTokenId => Config.DecoderStartTokenId;

    public int? ForcedEosTokenId => Config.ForcedEosTokenId;

    public int MaxDecoderPositions => Config.MaxPositionEmbeddings;

    public Device Device => final_logits_bias.device;

    /// With labels and no decoder inputs, the decoder reads shift_tokens_right(labels).
    public override MBartSeq2SeqLMOutput forward(MBartInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        if (inputs.Labels is not null && inputs.DecoderInputIds is null)
            inputs = inputs with { DecoderInputIds = MBartLoss.ShiftTokensRight(inputs.Labels, Config.PadTokenId) };
        var (encoder, decoder) = model.call(inputs);
        var logits = LmLogits(decoder.LastHiddenState); // (B,T,V)
        var loss = inputs.Labels is null ? null : MBartLoss.CrossEntropy(logits, inputs.Labels);

        logits.MoveToOuterDisposeScope();
        loss?.MoveToOuterDisposeScope();
        foreach (var t in Outputs(encoder, decoder, inputs.EncoderOutput is null))
            t.MoveToOuterDisposeScope();
        return new MBartSeq2SeqLMOutput(logits, loss, encoder, decoder);
    }

    /// Logits (B, T, V) of decoder states (B, T, D): h · sharedᵀ + final_logits_bias.
    public Tensor LmLogits(Tensor decoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var logits = F.linear(Autocast.ForMatmul(decoderHiddenStates), Autocast.ForMatmul(model.Shared.weight!)); // (B,T,D) x (V,D)ᵀ -> (B,T,V)
        return (Autocast.ToFloat32(logits) + final_logits_bias) // float32 logits under autocast
            .MoveToOuterDisposeScope();
    }

    public Tensor Encode(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask)
        => model.Encoder.call(inputIds, attentionMask, inputsEmbeds, false).LastHiddenState;

    public IDecoderCache CreateCache() => new MBartDecoderCache(Config.DecoderLayers);

    public Tensor DecodeStep(Tensor decoderInputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, IDecoderCache cache)
    {
        if (cache is not MBartDecoderCache mbartCache)
            throw new ArgumentException($"expected a cache from {nameof(CreateCache)}, got {cache?.GetType().Name ?? "null"}", nameof(cache));
        using var scope = NewDisposeScope();
        var output = model.Decoder.call(decoderInputIds, encoderHiddenStates, encoderAttentionMask, null, mbartCache, false);
        return LmLogits(output.LastHiddenState).MoveToOuterDisposeScope(); // (N,L,V)
    }

    private static IEnumerable<Tensor> Outputs(MBartEncoderOutput encoder, MBartDecoderOutput decoder, bool includeEncoder)
    {
        if (includeEncoder)
        {
            yield return encoder.LastHiddenState;
            foreach (var t in encoder.HiddenStates ?? [])
                yield return t;
        }
        yield return decoder.LastHiddenState;
        foreach (var t in decoder.HiddenStates ?? [])
            yield return t;
    }
}
