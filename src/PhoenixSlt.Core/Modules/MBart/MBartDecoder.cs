using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartDecoder: token embeddings × embed_scale + learned positions (continuing
/// after the cached length) → layernorm_embedding → pre-LN layers (causal self-attention, cross-attention,
/// feed-forward) → final layer_norm. With a <see cref="MBartDecoderCache"/> it decodes incrementally.
public sealed class MBartDecoder : nn.Module<Tensor, Tensor, Tensor?, Tensor?, MBartDecoderCache?, bool, MBartDecoderOutput>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly Embedding embed_tokens;
    private readonly MBartLearnedPositionalEmbedding embed_positions;
    private readonly ModuleList<MBartDecoderLayer> layers;
    private readonly AmpLayerNorm layernorm_embedding;
    private readonly AmpLayerNorm layer_norm;
#pragma warning restore IDE1006

    private readonly MBartConfig _config;

    public MBartDecoder(MBartConfig config, Embedding embedTokens, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartDecoder))
    {
        _config = config;
        embed_tokens = embedTokens;
        embed_positions = new MBartLearnedPositionalEmbedding(config.MaxPositionEmbeddings, config.DModel, config.InitStd, device, dtype);
        layers = new ModuleList<MBartDecoderLayer>(Enumerable.Range(0, config.DecoderLayers).Select(_ => new MBartDecoderLayer(config, device, dtype)).ToArray());
        layernorm_embedding = MBartLayers.LayerNorm(config.DModel, device, dtype);
        layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        RegisterComponents();
    }

    public IReadOnlyList<MBartDecoderLayer> Layers => layers.ToList();

    /// <paramref name="inputIds"/>: (B, T) new decoder tokens; <paramref name="encoderHiddenStates"/>: (B, S, D);
    /// <paramref name="encoderAttentionMask"/>: (B, S) 1 = real; <paramref name="attentionMask"/>: optional decoder
    /// padding mask (B, past + T); <paramref name="cache"/>: keys/values of earlier steps (extended in place).
    /// Returns last_hidden_state (B, T, D) and, on request, all hidden states.
    public override MBartDecoderOutput forward(Tensor inputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask = null, Tensor? attentionMask = null, MBartDecoderCache? cache = null, bool outputHiddenStates = false)
    {
        if (inputIds.dim() != 2)
            throw new ArgumentException($"decoder input ids must be (batch, length), got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.shape[0] != inputIds.shape[0])
            throw new ArgumentException($"encoder hidden states [{string.Join(", ", encoderHiddenStates.shape)}] must be (batch {inputIds.shape[0]}, length, d_model)", nameof(encoderHiddenStates));
        if (cache is not null && cache.LayerCount != layers.Count)
            throw new ArgumentException($"the cache has {cache.LayerCount} layers but the decoder has {layers.Count}", nameof(cache));
        long past = cache?.Length ?? 0;
        if (cache is not null && past > 0 && cache.BatchSize != inputIds.shape[0])
            throw new ArgumentException($"the cache holds {cache.BatchSize} rows but the decoder input has {inputIds.shape[0]}; reorder or select the cache first", nameof(cache));

        using var scope = NewDisposeScope();
        var embeds = embed_tokens.call(inputIds); // (B,T) -> (B,T,D)
        if (_config.ScaleEmbedding)
            embeds = embeds * _config.EmbedScale;
        var x = layernorm_embedding.call(embeds + embed_positions.call(inputIds, past)); // (B,T,D) + (1,T,D)
        x = F.dropout(x, _config.Dropout, training);
        var selfMask = MBartMasks.Causal(inputIds.shape[1], past, x.dtype, x.device, attentionMask); // (1|B,1,T,past+T)
        var crossMask = encoderAttentionMask is null ? null : MBartMasks.Padding(encoderAttentionMask, x.dtype); // (B,1,1,S)

        var hidden = outputHiddenStates ? new List<Tensor>() : null;
        for (int i = 0; i < layers.Count; i++)
        {
            hidden?.Add(x);
            if (training && _config.DecoderLayerdrop > 0 && rand(1).item<float>() < _config.DecoderLayerdrop)
                continue;
            x = layers[i].call(x, selfMask, encoderHiddenStates, crossMask, cache?.SelfAttention[i], cache?.CrossAttention[i]); // (B,T,D)
        }
        x = layer_norm.call(x);
        hidden?.Add(x);

        x.MoveToOuterDisposeScope();
        hidden?.ForEach(h => h.MoveToOuterDisposeScope());
        return new MBartDecoderOutput(x, hidden);
    }
}
