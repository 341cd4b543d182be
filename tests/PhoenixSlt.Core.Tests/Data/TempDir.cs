using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Data;

/// A fresh temporary folder, deleted on Dispose.
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = TestPaths.NewTempDir("phoenix-data");

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string name, string text)
    {
        string path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        string path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: the OS cleans temp eventually
        }
    }
}
