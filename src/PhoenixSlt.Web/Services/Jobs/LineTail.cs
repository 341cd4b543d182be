namespace PhoenixSlt.Web.Services.Jobs;

/// The last lines of a process's error output (for the message of a process that died); thread-safe, since the
/// process's output handlers add lines while the supervising loop reads.
public sealed class LineTail(int maxLines)
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > maxLines)
                _lines.Dequeue();
        }
    }

    /// The kept lines joined by '\n'.
    public string Text()
    {
        lock (_gate)
            return string.Join('\n', _lines);
    }
}
