using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Encoder result: last_hidden_state (B, S, D) after the final layer_norm and, on request, the hidden states
/// [embeddings, after layer 0, …, after the last layer + final layer_norm] (encoder_layers + 1 entries).
public sealed record MBartEncoderOutput(Tensor LastHiddenState, IReadOnlyList<Tensor>? HiddenStates = null);

/// Decoder result: last_hidden_state (B, T, D) after the final layer_norm and optional hidden states (as the encoder's).
public sealed record MBartDecoderOutput(Tensor LastHiddenState, IReadOnlyList<Tensor>? HiddenStates = null);

/// Result of <see cref="MBartForConditionalGeneration"/>: logits (B, T, V), the loss when labels were given,
/// and the encoder/decoder states.
public sealed record MBartSeq2SeqLMOutput(
    Tensor Logits,
    Tensor? Loss,
    MBartEncoderOutput Encoder,
    MBartDecoderOutput Decoder);
