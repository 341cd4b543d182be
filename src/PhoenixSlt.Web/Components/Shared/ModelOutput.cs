namespace PhoenixSlt.Web.Components.Shared;

/// The one rule for showing a model's translations: what counts as an empty output, and when a set of outputs says
/// the model has not learned to translate yet (mostly empty, or one phrase repeated for every clip).
public static class ModelOutput
{
    /// Shown in place of an empty translation.
    public const string EmptyPlaceholder = "(empty output)";

    /// Shown beside outputs for which <see cref="NotLearnedYet"/> holds.
    public const string NotLearnedHint = "This model has not learned to translate yet: train longer or use the pipeline.";

    /// At least this share of empty outputs gives the hint.
    public const double MostlyEmptyShare = 0.5;

    /// At least this share of outputs being one and the same non-empty phrase gives the hint...
    public const double RepeatedShare = 0.8;

    /// ...when there are at least this many outputs (two equal sentences can be right).
    public const int MinOutputsForRepetition = 3;

    /// Empty: null, "" or only white space (what a reader sees as nothing).
    public static bool IsEmpty(string? output) => string.IsNullOrWhiteSpace(output);

    /// The text to show for <paramref name="output"/>: itself, or <see cref="EmptyPlaceholder"/> when empty.
    public static string Display(string? output) => IsEmpty(output) ? EmptyPlaceholder : output!;

    /// True when at least <see cref="MostlyEmptyShare"/> of the outputs are empty, or (with at least
    /// <see cref="MinOutputsForRepetition"/> outputs) at least <see cref="RepeatedShare"/> of them are the same
    /// phrase (compared after trimming). No outputs: false.
    public static bool NotLearnedYet(IEnumerable<string?> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var all = outputs.ToList();
        if (all.Count == 0)
            return false;
        int empty = all.Count(IsEmpty);
        if (empty >= MostlyEmptyShare * all.Count)
            return true;
        if (all.Count < MinOutputsForRepetition)
            return false;
        int mostCommon = all.Where(o => !IsEmpty(o)).GroupBy(o => o!.Trim(), StringComparer.Ordinal).Max(g => g.Count());
        return mostCommon >= RepeatedShare * all.Count;
    }
}
