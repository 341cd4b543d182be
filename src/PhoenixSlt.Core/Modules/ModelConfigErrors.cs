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
}
