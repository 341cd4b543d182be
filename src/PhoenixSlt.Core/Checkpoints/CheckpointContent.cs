using PhoenixSlt.Core.Text;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// What <see cref="CheckpointStore.Save"/> writes into a checkpoint folder.
/// <param name="Metadata">checkpoint.json; its tokenizer_file is filled in from <see cref="Tokenizer"/>.</param>
/// <param name="Weights">Model tensors by state-dict name (model.safetensors).</param>
public sealed record CheckpointContent(CheckpointMetadata Metadata, IEnumerable<KeyValuePair<string, Tensor>> Weights)
{
    /// Saved with <see cref="ISltTokenizer.SaveTo"/> (sentencepiece.bpe.model, tokenizer.json or a trimmed vocabulary).
    public ISltTokenizer? Tokenizer { get; init; }

    /// Optimizer/RNG/scheduler state for an exact resume (trainer_state.json + trainer_state.safetensors).
    public TrainerCheckpoint? Trainer { get; init; }

    /// Metadata of model.safetensors ("format": "pt" is added when absent).
    public IReadOnlyDictionary<string, string>? WeightsMetadata { get; init; }

    /// Writes further files into the (temporary) checkpoint folder, e.g. a Hugging Face config.json.
    public Action<string>? WriteExtraFiles { get; init; }
}
