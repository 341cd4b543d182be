using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartEncoder: token embeddings × embed_scale (inputs_embeds are used as
/// given, never scaled) + learned positions → layernorm_embedding → pre-LN layers → final layer_norm.
/// <c>embed_tokens</c> is the model's shared embedding (the same module, so the weights stay tied).
public sealed class MBartEncoder : nn.Module<Tensor?, Tensor?, Tensor?, bool, MBartEncoderOutput>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly Embedding embed_tokens;
    private readonly MBartLearnedPositionalEmbedding embed_positions;
    private readonly ModuleList<MBartEncoderLayer> layers;
    private readonly AmpLayerNorm layernorm_embedding;
    private readonly AmpLayerNorm layer_norm;
#pragma warning restore IDE1006

    private readonly MBartConfig _config;

    public MBartEncoder(MBartConfig config, Embedding embedTokens, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartEncoder))
    {
        _config = config;
        embed_tokens = embedTokens;
        embed_positions = new MBartLearnedPositionalEmbedding(config.MaxPositionEmbeddings, config.DModel, config.InitStd, device, dtype);
        layers = new ModuleList<MBartEncoderLayer>(Enumerable.Range(0, config.EncoderLayers).Select(_ => new MBartEncoderLayer(config, device, dtype)).ToArray());
        layernorm_embedding = MBartLayers.LayerNorm(config.DModel, device, dtype);
        layer_norm = MBartLayers.LayerNorm(config.DModel, device, dtype);
        RegisterComponents();
    }

    public IReadOnlyList<MBartEncoderLayer> Layers => layers.ToList();

    /// Exactly one of <paramref name="inputIds"/> (B, S) int64 and <paramref name="inputsEmbeds"/> (B, S, D).
    /// <paramref name="attentionMask"/>: (B, S) with 1 = real, 0 = padding (padded keys are masked; padded
    /// positions still get outputs). Returns last_hidden_state (B, S, D) and, on request, all hidden states.
    public override MBartEncoderOutput forward(Tensor? inputIds, Tensor? attentionMask = null, Tensor? inputsEmbeds = null, bool outputHiddenStates = false)
    {
        if ((inputIds is null) == (inputsEmbeds is null))
            throw new ArgumentException("give exactly one of input ids (batch, length) and inputs_embeds (batch, length, d_model)");
        var input = inputsEmbeds ?? inputIds!;
        if (inputsEmbeds is not null && (inputsEmbeds.dim() != 3 || inputsEmbeds.shape[2] != _config.DModel))
            throw new ArgumentException($"inputs_embeds must be (batch, length, {_config.DModel}), got [{string.Join(", ", inputsEmbeds.shape)}]", nameof(inputsEmbeds));
        if (inputIds is not null && inputIds.dim() != 2)
            throw new ArgumentException($"input ids must be (batch, length), got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual(input.shape.Take(2)))
            throw new ArgumentException($"attention mask [{string.Join(", ", attentionMask.shape)}] does not match the input's (batch, length) [{string.Join(", ", input.shape.Take(2))}]", nameof(attentionMask));

        using var scope = NewDisposeScope();
        var embeds = inputsEmbeds ?? ScaledTokenEmbeddings(inputIds!); // (B,S,D)
        var x = layernorm_embedding.call(embeds + embed_positions.call(input, 0)); // (B,S,D) + (1,S,D)
        x = F.dropout(x, _config.Dropout, training);
        var mask = attentionMask is null ? null : MBartMasks.Padding(attentionMask, x.dtype); // (B,1,1,S)

        var hidden = outputHiddenStates ? new List<Tensor>() : null;
        foreach (var layer in layers)
        {
            hidden?.Add(x);
            if (training && _config.EncoderLayerdrop > 0 && rand(1).item<float>() < _config.EncoderLayerdrop)
                continue;
            x = layer.call(x, mask); // (B,S,D)
        }
        x = layer_norm.call(x);
        hidden?.Add(x);

        x.MoveToOuterDisposeScope();
        hidden?.ForEach(h => h.MoveToOuterDisposeScope());
        return new MBartEncoderOutput(x, hidden);
    }

    private Tensor ScaledTokenEmbeddings(Tensor inputIds)
    {
        var embeds = embed_tokens.call(inputIds); // (B,S) -> (B,S,D)
        return _config.ScaleEmbedding ? embeds * _config.EmbedScale : embeds;
    }
}
