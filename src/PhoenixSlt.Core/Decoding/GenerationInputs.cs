using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Encoder inputs of one generation call: token ids (B, S) int64 or embeddings (B, S, D), and an optional
/// attention mask (B, S) with 1 = real, 0 = padding.
public sealed record GenerationInputs
{
    private GenerationInputs(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask)
    {
        InputIds = inputIds;
        InputsEmbeds = inputsEmbeds;
        AttentionMask = attentionMask;
    }

    public Tensor? InputIds { get; }

    public Tensor? InputsEmbeds { get; }

    public Tensor? AttentionMask { get; }

    /// Number of source sentences (B).
    public int BatchSize => (int)(InputIds ?? InputsEmbeds)!.shape[0];

    /// Source token ids (B, S) int64.
    public static GenerationInputs FromIds(Tensor inputIds, Tensor? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"input ids must be an int64 (batch, length) tensor, got {inputIds.dtype} [{Shape(inputIds)}]", nameof(inputIds));
        CheckMask(attentionMask, inputIds.shape[0], inputIds.shape[1]);
        return new GenerationInputs(inputIds, null, attentionMask);
    }

    /// Source embeddings (B, S, D) fed to the encoder as they are (no embedding scale).
    public static GenerationInputs FromEmbeds(Tensor inputsEmbeds, Tensor? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        if (inputsEmbeds.dim() != 3 || !inputsEmbeds.is_floating_point())
            throw new ArgumentException($"inputs_embeds must be a floating-point (batch, length, d_model) tensor, got {inputsEmbeds.dtype} [{Shape(inputsEmbeds)}]", nameof(inputsEmbeds));
        CheckMask(attentionMask, inputsEmbeds.shape[0], inputsEmbeds.shape[1]);
        return new GenerationInputs(null, inputsEmbeds, attentionMask);
    }

    /// The attention mask, or transformers' default when none was given: for ids containing
    /// <paramref name="padTokenId"/> (when it is not an EOS token), ids ≠ pad; otherwise all ones.
    internal Tensor MaskOrDefault(long padTokenId, IReadOnlyList<long> eosTokenIds, Device device)
    {
        if (AttentionMask is not null)
            return AttentionMask.to(device);
        if (InputIds is not null && !eosTokenIds.Contains(padTokenId) && InputIds.eq(padTokenId).any().item<bool>())
            return InputIds.ne(padTokenId).to(ScalarType.Int64).to(device);
        var source = (InputIds ?? InputsEmbeds)!;
        return ones([source.shape[0], source.shape[1]], ScalarType.Int64, device);
    }

    private static void CheckMask(Tensor? mask, long batch, long length)
    {
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != length))
            throw new ArgumentException($"attention mask [{Shape(mask)}] must be (batch, length) = [{batch}, {length}] like the inputs", nameof(mask));
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
