using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Cli.Tests;

/// `phoenix-slt data check` run in-process on tiny datasets written to a temporary folder.
public sealed class DataCommandTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("phoenix-data-cli");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CliResult Check(params string[] args) => CliRunner.Run(DataCommand.Create(), ["data", "check", .. args]);

    /// train: two samples, dev and test: one each; keypoints (3, 75, 3) flat, SigLIP (2, 768) under the split folder.
    private void WriteCleanDataset()
    {
        var layout = new DatasetLayout(_root);
        foreach (var (split, names) in new[] { ("train", new[] { "t1", "t2" }), ("dev", ["d1"]), ("test", ["e1"]) })
        {
            PhoenixCorpus.WriteOfficial(layout.CorpusFile(split), names.Select(n => new PhoenixSample(n, $"satz {n}")));
            foreach (string name in names)
            {
                float[] keypoints = Enumerable.Range(0, 3 * 225).Select(i => 0.1f + (i % 50) / 100f).ToArray();
                NpyFile.Write(Path.Combine(layout.KeypointsDir, name + ".npy"), new NpyArray(keypoints, [3, 75, 3]));
                NpyFile.WriteFloat32(Path.Combine(layout.SiglipDir, split, name + ".npy"), new float[2 * 768], 2, 768);
            }
        }
    }

    [Fact]
    public void Check_CleanDataset_ExitsZeroWithSummary()
    {
        WriteCleanDataset();

        CliResult result = Check("--data", _root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("OK: 4 samples, no problems found.", result.Output);
        string trainRow = result.Output.Split('\n').Single(l => l.StartsWith("train ", StringComparison.Ordinal));
        Assert.Equal(["train", "2", "2", "3/3.0/3", "2/2.0/2", "0.0%/0.0%"], trainRow.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Check_ProblemDataset_ExitsOneAndListsEveryProblemWithFile()
    {
        WriteCleanDataset();
        File.Delete(Path.Combine(_root, "kpts", "t2.npy"));
        File.WriteAllText(Path.Combine(_root, "siglip_vitb16", "dev", "d1.npy"), "not an array");
        File.Delete(Path.Combine(_root, "annotations", "PHOENIX-2014-T.test.corpus.csv"));

        CliResult result = Check("--data", _root);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("3 problem(s):", result.Output);
        Assert.Contains($"{Path.Combine(_root, "kpts", "t2.npy")}: no keypoints file for sample 't2'", result.Output);
        Assert.Contains($"{Path.Combine(_root, "siglip_vitb16", "dev", "d1.npy")}: not a .npy file", result.Output);
        Assert.Contains("no annotation file for split 'test'", result.Output);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }

    [Fact]
    public void Check_Json_ReportsCountsAndProblems()
    {
        WriteCleanDataset();
        File.AppendAllText(Path.Combine(_root, "annotations", "PHOENIX-2014-T.dev.corpus.csv"), "broken|line\n");

        CliResult result = Check("--data", _root, "--json");

        Assert.Equal(1, result.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(result.Output);
        JsonElement report = doc.RootElement;
        Assert.False(report.GetProperty("ok").GetBoolean());
        JsonElement problem = Assert.Single(report.GetProperty("problems").EnumerateArray());
        Assert.Equal(Path.Combine(_root, "annotations", "PHOENIX-2014-T.dev.corpus.csv"), problem.GetProperty("file").GetString());
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.Equal("expected 7 fields separated by '|' as in the header but found 2", problem.GetProperty("problem").GetString());
        JsonElement train = report.GetProperty("splits")[0];
        Assert.Equal("train", train.GetProperty("split").GetString());
        Assert.Equal(2, train.GetProperty("withBothFeatures").GetInt32());
        Assert.Equal(3, train.GetProperty("keypointFrames").GetProperty("max").GetInt32());
        Assert.Equal(2, train.GetProperty("keypointFrameHistogram")[0].GetProperty("count").GetInt32());
    }

    [Fact]
    public void Check_MissingFolder_ExitsOneWithoutStackTrace()
    {
        string missing = Path.Combine(_root, "nope");

        CliResult result = Check("--data", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{missing}: data folder does not exist", result.Output);
        Assert.DoesNotContain("Exception", result.Output + result.Error);
    }

    [Fact]
    public void Check_WithoutDataOption_IsAUsageError()
    {
        CliResult result = Check();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--data", result.Error);
    }
}
