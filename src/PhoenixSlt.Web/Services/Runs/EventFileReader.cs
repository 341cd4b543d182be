using System.Text;

namespace PhoenixSlt.Web.Services.Runs;

/// Reads the lines appended to a JSON-lines event file since the last call, from a start offset (earlier
/// attempts of a resumed run are skipped). Only complete lines (ending in '\n') are returned; a line being
/// written stays for the next call. The file may not exist yet.
public sealed class EventFileReader(string path, long startOffset = 0)
{
    private long _offset = startOffset;
    private readonly List<byte> _partial = [];

    public string Path { get; } = path;

    /// Bytes consumed so far (complete lines only).
    public long Offset => _offset - _partial.Count;

    /// The complete lines written since the previous call (without line ends; empty lines skipped).
    public IReadOnlyList<string> ReadNewLines()
    {
        if (!File.Exists(Path))
            return [];
        var lines = new List<string>();
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < _offset)
            return lines;                               // truncated by someone else: nothing sensible to read
        stream.Seek(_offset, SeekOrigin.Begin);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            _offset += read;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    _partial.Add(buffer[i]);
                    continue;
                }
                string line = Encoding.UTF8.GetString(_partial.ToArray()).TrimEnd('\r');
                _partial.Clear();
                if (line.Length > 0)
                    lines.Add(line);
            }
        }
        return lines;
    }

    /// The length of <paramref name="file"/>, 0 when it does not exist: where a new attempt's lines start.
    public static long CurrentLength(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;
}
