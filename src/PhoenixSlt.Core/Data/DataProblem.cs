namespace PhoenixSlt.Core.Data;

/// One problem found in user-supplied data: the offending file (null when the problem is not about one file),
/// the 1-based line when the problem is on a line of a text file, and what is wrong.
public sealed record DataProblem(string? File, string Problem, int? Line = null)
{
    /// The problem as an exception (the line, when known, leads the problem text).
    public PhoenixDataException ToException() => new(File, Describe());

    /// "line N: problem" or just the problem.
    public string Describe() => Line is int line ? $"line {line}: {Problem}" : Problem;

    public override string ToString() => File is null ? Describe() : $"{File}: {Describe()}";
}
