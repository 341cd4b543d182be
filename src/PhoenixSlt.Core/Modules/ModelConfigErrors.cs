namespace PhoenixSlt.Core.Modules;

/// Checks shared by the model configs; messages name the JSON field, the value and what is allowed.
internal static class ModelConfigErrors
{
    public static void RequirePositive(string config, string field, int value)
    {
        if (value <= 0)
            throw Invalid(config, field, value, "must be a positive integer");
    }

    public static void RequireProbability(string config, string field, double value)
    {
        if (!(value >= 0 && value < 1))
            throw Invalid(config, field, value, "must be in [0, 1)");
    }

    public static ArgumentException Invalid(string config, string field, object value, string rule)
        => new($"{config}: {field} = {value} {rule}; fix the value in the model config");

    /// The gloss CTC head's settings: a vocabulary size of 0 (no head) or at least 2 (blank + one gloss), a finite
    /// weight of 0 or more.
    public static void RequireGlossHead(string config, int vocabSize, double weight)
    {
        if (vocabSize is < 0 or 1)
            throw Invalid(config, "gloss_vocab_size", vocabSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be 0 (no gloss head) or at least 2 (the blank and one gloss)");
        if (!(weight >= 0) || !double.IsFinite(weight))
            throw Invalid(config, "gloss_ctc_weight", weight.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be 0 or more");
    }
}
