using System.Text;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class EventFileReaderTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("phoenix-events");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadNewLines_MissingFile_GivesNothing()
    {
        Assert.Empty(new EventFileReader(Path.Combine(_dir, "none.jsonl")).ReadNewLines());
    }

    [Fact]
    public void ReadNewLines_PartialLine_WaitsForItsEnd()
    {
        string file = Path.Combine(_dir, "e.jsonl");
        var reader = new EventFileReader(file);
        File.WriteAllText(file, "{\"a\":1}\n{\"b\":");

        Assert.Equal(["{\"a\":1}"], reader.ReadNewLines());
        File.AppendAllText(file, "2}\n\n{\"c\":3}\r\n");
        Assert.Equal(["{\"b\":2}", "{\"c\":3}"], reader.ReadNewLines());
        Assert.Empty(reader.ReadNewLines());
        Assert.Equal(new FileInfo(file).Length, reader.Offset);
    }

    [Fact]
    public void ReadNewLines_StartOffsetOfAnEarlierAttempt_SkipsItsLines()
    {
        string file = Path.Combine(_dir, "e.jsonl");
        File.WriteAllText(file, "old\n");
        var reader = new EventFileReader(file, EventFileReader.CurrentLength(file));
        File.AppendAllText(file, "new\n");

        Assert.Equal(["new"], reader.ReadNewLines());
    }

    [Fact]
    public void ReadNewLines_MultiByteCharacterSplitAcrossWrites_IsDecodedWhole()
    {
        string file = Path.Combine(_dir, "e.jsonl");
        byte[] bytes = Encoding.UTF8.GetBytes("süden\n");
        var reader = new EventFileReader(file);
        File.WriteAllBytes(file, bytes[..2]);                  // "s" and the first byte of "ü"
        Assert.Empty(reader.ReadNewLines());
        using (var stream = new FileStream(file, FileMode.Append))
            stream.Write(bytes, 2, bytes.Length - 2);

        Assert.Equal(["süden"], reader.ReadNewLines());
    }
}
