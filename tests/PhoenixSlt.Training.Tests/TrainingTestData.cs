using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Training.Tests;

/// A folder under the temp directory, deleted on dispose.
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "phoenix-training") => Path = TestPaths.NewTempDir(prefix);

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: the OS cleans the temp folder
        }
    }
}

/// Tiny synthetic PHOENIX-2014-T datasets written with <see cref="SyntheticPhoenixGenerator"/>.
internal static class TrainingTestData
{
    /// Writes a synthetic dataset with the given split sizes into <paramref name="root"/>.
    public static string Synthetic(string root, int train, int dev, int test = 0, int seed = 7)
    {
        SyntheticPhoenixGenerator.Generate(new SynthOptions(root, train, dev, test, seed) { MaxParallelism = 2 });
        return root;
    }
}

/// Tests that train models: they seed TorchSharp's global generator and use both cores, so they run one at a time.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTrainingCollection
{
    public const string Name = "Serial training (global RNG, CPU-heavy)";
}
