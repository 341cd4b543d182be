namespace PhoenixSlt.Training.Events;

/// Writes each event as one JSON line (<see cref="ProgressEventJson"/>) and flushes, so that a reader of the
/// stream (the portal's supervisor reading a worker's stdout, or a tail -f on a file) sees it at once.
public sealed class JsonLinesProgressSink : IProgressSink, IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Lock _gate = new();

    /// <param name="writer">Destination, e.g. standard output.</param>
    /// <param name="ownsWriter">Dispose <paramref name="writer"/> with this sink.</param>
    public JsonLinesProgressSink(TextWriter writer, bool ownsWriter = false)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _ownsWriter = ownsWriter;
    }

    /// A sink appending to <paramref name="path"/> (created with its folder when missing; UTF-8 without BOM, '\n').
    public static JsonLinesProgressSink ToFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        var writer = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        return new JsonLinesProgressSink(writer, ownsWriter: true);
    }

    public void Report(ProgressEvent progressEvent)
    {
        string line = ProgressEventJson.Serialize(progressEvent);
        lock (_gate)
        {
            _writer.Write(line);
            _writer.Write('\n');
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        if (_ownsWriter)
            _writer.Dispose();
    }
}
