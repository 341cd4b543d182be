using PhoenixSlt.Core.Checkpoints;

namespace PhoenixSlt.Training.Phases;

/// Where an mBART folder's weights come from, for the recipe's choices that depend on it (the decoder's rate).
public static class MBartPretrainedWeights
{
    /// True for pretrained mBART weights: a Hugging Face folder (no checkpoint.json), an imported or trimmed mbart
    /// checkpoint, or a text-phase checkpoint whose run started from such weights. False for a text-phase
    /// checkpoint whose mBART was trained from scratch (a small model of ours that still needs a high rate).
    public static bool AreFromPretrainedMBart(string folder, int depth = 0)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!CheckpointFolder.IsCheckpoint(folder))
            return true;
        var metadata = CheckpointMetadata.Load(folder);
        if (metadata.Phase != CheckpointPhase.Text)
            return metadata.Phase == CheckpointPhase.MBart;
        return TrainingRecipe.Load(folder)?.MBart is string source && depth < 8 && AreFromPretrainedMBart(source, depth + 1);
    }
}
