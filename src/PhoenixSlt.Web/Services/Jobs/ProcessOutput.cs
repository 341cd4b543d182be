namespace PhoenixSlt.Web.Services.Jobs;

/// One line a process wrote, with when it was read.
public readonly record struct OutputLine(DateTime Time, bool IsError, string Text);

/// The output of a job's process: filled by the process's output handlers (any thread), drained by the supervising
/// loop. Keeps every non-blank line until drained when <paramref name="keepLines"/>, and always the last
/// <paramref name="tailLines"/> error lines (<see cref="LineTail"/>) for the message of a process that died.
public sealed class ProcessOutput(int tailLines, bool keepLines, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<OutputLine> _pending = [];
    private readonly LineTail _errorTail = new(tailLines);

    public void Add(string? text, bool isError)
    {
        if (string.IsNullOrWhiteSpace(text))
            return;
        string line = text.TrimEnd();
        if (keepLines)
        {
            lock (_gate)
                _pending.Add(new OutputLine(time.GetUtcNow().UtcDateTime, isError, line));
        }
        if (isError)
            _errorTail.Add(line);
    }

    /// The lines added since the previous call (none unless lines are kept).
    public IReadOnlyList<OutputLine> Drain()
    {
        lock (_gate)
        {
            var lines = _pending.ToList();
            _pending.Clear();
            return lines;
        }
    }

    /// The last error lines joined by '\n'.
    public string ErrorTail() => _errorTail.Text();
}
