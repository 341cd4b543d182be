using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Inputs of <see cref="MBartModel"/> and <see cref="MBartForConditionalGeneration"/> (transformers' keyword
/// arguments). Encoder input: exactly one of <see cref="InputIds"/>, <see cref="InputsEmbeds"/> or a
/// precomputed <see cref="EncoderOutput"/>.
public sealed record MBartInputs
{
    /// (B, S) int64 source token ids.
    public Tensor? InputIds { get; init; }

    /// (B, S) encoder padding mask: 1 = real, 0 = padding.
    public Tensor? AttentionMask { get; init; }

    /// (B, S, D) encoder inputs used as given (not multiplied by embed_scale).
    public Tensor? InputsEmbeds { get; init; }

    /// (B, T) int64 decoder inputs. When null: shift_tokens_right(labels) if labels are given, otherwise
    /// shift_tokens_right(input_ids) (transformers' MBartModel behaviour).
    public Tensor? DecoderInputIds { get; init; }

    /// (B, T) decoder padding mask (optional; the decoder is causal anyway).
    public Tensor? DecoderAttentionMask { get; init; }

    /// (B, T) int64 target ids for the loss; -100 marks ignored positions.
    public Tensor? Labels { get; init; }

    /// A precomputed encoder output (skips the encoder).
    public MBartEncoderOutput? EncoderOutput { get; init; }

    public bool OutputHiddenStates { get; init; }
}
