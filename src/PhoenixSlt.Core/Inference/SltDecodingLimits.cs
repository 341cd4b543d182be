using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;

namespace PhoenixSlt.Core.Inference;

/// How long an input and a translation of a checkpoint may be, so that translation caps them as training did.
/// <param name="MaxFrames">The collator's frame cap: MAX_FRAMES of training, else the mBART encoder's positions (the
/// longest input it can take).</param>
/// <param name="MaxNewTokens">Tokens generated at most per clip: the translation length of training's validation,
/// else <see cref="DefaultMaxNewTokens"/> (within the decoder's positions).</param>
public sealed record SltDecodingLimits(int MaxFrames, int MaxNewTokens)
{
    public const int DefaultMaxNewTokens = 64;

    /// The limits of a model with <paramref name="mbart"/> trained with <paramref name="recipe"/> (null: none known).
    public static SltDecodingLimits From(TrainingRecipe? recipe, MBartConfig mbart)
    {
        ArgumentNullException.ThrowIfNull(mbart);
        int positions = mbart.MaxPositionEmbeddings;
        return new SltDecodingLimits(
            Math.Min(recipe?.MaxFrames ?? int.MaxValue, positions),
            Math.Min(recipe?.MaxNewTokens ?? DefaultMaxNewTokens, positions - 1));
    }
}
