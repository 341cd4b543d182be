namespace PhoenixSlt.Web.Services.Scoring;

/// Hypotheses and reference streams split into lines, all of the same length.
/// <see cref="References"/> is stream-major: References[k][i] is reference k of sentence i.
public sealed record ScoreInput(IReadOnlyList<string> Hypotheses, IReadOnlyList<IReadOnlyList<string>> References);

/// The outcome of checking pasted or uploaded text: either an input or the problems to show.
public sealed record ScoreInputResult(ScoreInput? Input, IReadOnlyList<string> Errors)
{
    public bool IsValid => Input is not null;
}

/// Turns the Score page's text boxes into a <see cref="ScoreInput"/>: one sentence per line,
/// CRLF or LF, a single trailing line break ignored. Empty lines inside the text are empty sentences.
public static class ScoreInputParser
{
    /// Lines of <paramref name="text"/>; an empty or whitespace-only text has no lines.
    public static IReadOnlyList<string> SplitLines(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        string normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (normalized.EndsWith('\n'))
            normalized = normalized[..^1];
        return normalized.Split('\n');
    }

    /// Checks the texts and builds the input. <paramref name="secondReferences"/> is optional (null or blank: one reference).
    public static ScoreInputResult Parse(string? hypotheses, string? references, string? secondReferences = null)
    {
        var errors = new List<string>();
        IReadOnlyList<string> hyps = SplitLines(hypotheses);
        IReadOnlyList<string> refs = SplitLines(references);
        IReadOnlyList<string> refs2 = SplitLines(secondReferences);

        if (hyps.Count == 0)
            errors.Add("Hypotheses are empty: paste the system translations, one sentence per line, or upload a .txt file.");
        if (refs.Count == 0)
            errors.Add("References are empty: paste the reference translations, one sentence per line, or upload a .txt file.");
        if (hyps.Count > 0 && refs.Count > 0 && hyps.Count != refs.Count)
            errors.Add(MismatchMessage("references", hyps.Count, refs.Count));
        if (hyps.Count > 0 && refs2.Count > 0 && hyps.Count != refs2.Count)
            errors.Add(MismatchMessage("second references", hyps.Count, refs2.Count));
        if (errors.Count > 0)
            return new ScoreInputResult(null, errors);

        List<IReadOnlyList<string>> streams = [refs];
        if (refs2.Count > 0)
            streams.Add(refs2);
        return new ScoreInputResult(new ScoreInput(hyps, streams), []);
    }

    private static string MismatchMessage(string what, int hypCount, int refCount)
        => $"Line count mismatch: {hypCount} hypotheses but {refCount} {what}. "
           + $"Line i of the hypotheses is scored against line i of the {what}: give both the same number of lines.";
}
