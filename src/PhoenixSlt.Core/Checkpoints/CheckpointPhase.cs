using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Checkpoints;

/// Which training phase (or tool) produced a checkpoint; written to checkpoint.json in lower case.
[JsonConverter(typeof(JsonStringEnumConverter<CheckpointPhase>))]
public enum CheckpointPhase
{
    /// Text-only pretraining of the translation decoder.
    [JsonStringEnumMemberName("text")] Text,

    /// Visual-language pretraining (fusion encoder + projection heads against the frozen text encoder).
    [JsonStringEnumMemberName("vlp")] Vlp,

    /// Sign-language translation (fusion encoder → adapter → mBART).
    [JsonStringEnumMemberName("slt")] Slt,

    /// A plain mBART model (imported from Hugging Face or vocabulary-trimmed).
    [JsonStringEnumMemberName("mbart")] MBart,
}
