using System.Text.Json.Serialization;

namespace PhoenixSlt.Training.Amp;

/// What a checkpoint keeps of a <see cref="GradScaler"/> to resume exactly (the fields of torch.amp.GradScaler's
/// state_dict): the current scale, the count of clean steps since the last change, and the settings.
public sealed record GradScalerState(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("growth_tracker")] int GrowthTracker,
    [property: JsonPropertyName("options")] GradScalerOptions Options);
