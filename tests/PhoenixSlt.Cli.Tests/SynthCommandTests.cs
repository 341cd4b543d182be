using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Cli.Tests;

public sealed class SynthCommandTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("phoenix-synth-cli");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Out => Path.Combine(_dir, "out");

    private static CliResult Synth(params string[] args) => CliRunner.Run(SynthCommand.Create(), ["synth", .. args]);

    [Fact]
    public void Synth_SmallDataset_WritesDatasetAndPrintsSummary()
    {
        var r = Synth("--out", Out, "--train", "6", "--dev", "2", "--test", "2", "--seed", "3");

        Assert.Equal(0, r.ExitCode);
        Assert.All(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^synth: (train|dev|test) \d+/\d+ ", line));
        Assert.Contains("synth: test 2/2", r.Error);
        Assert.Contains("(seed 3)", r.Output);
        Assert.Contains("total: 10 samples", r.Output);
        Assert.Matches(@"(?m)^train\s+6\s", r.Output);
        Assert.Equal(6, PhoenixCorpus.Load(Path.Combine(Out, "annotations"), "train").Count);
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(Out, "siglip_vitb16", "test")).Count());
    }

    [Fact]
    public void Synth_SameSeed_SameAnnotations()
    {
        Assert.Equal(0, Synth("--out", Out, "--train", "5", "--dev", "0", "--test", "0", "--seed", "9").ExitCode);
        string other = Path.Combine(_dir, "other");
        Assert.Equal(0, Synth("--out", other, "--train", "5", "--dev", "0", "--test", "0", "--seed", "9").ExitCode);
        string file = Path.Combine("annotations", DatasetLayout.CorpusFileName("train"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out, file)), File.ReadAllBytes(Path.Combine(other, file)));
    }

    [Fact]
    public void Synth_NegativeCount_ExitsOneAndNamesTheOption()
    {
        var r = Synth("--out", Out, "--dev", "-3");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--dev must be 0 or more (got -3)", r.Error);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Synth_AllCountsZero_ExitsOne()
    {
        var r = Synth("--out", Out, "--train", "0", "--dev", "0", "--test", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nothing to generate", r.Error);
    }

    [Fact]
    public void Synth_MissingOut_ParseErrorExitsNonZero()
    {
        var r = Synth("--train", "3");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--out", r.Error);
    }

    [Fact]
    public void Synth_ExistingDataset_RefusedWithoutForceAndReplacedWithForce()
    {
        Assert.Equal(0, Synth("--out", Out, "--train", "3", "--dev", "1", "--test", "1").ExitCode);

        var refused = Synth("--out", Out, "--train", "2", "--dev", "1", "--test", "1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("already holds a dataset", refused.Error);
        Assert.Contains("--force", refused.Error);
        Assert.Equal(3, PhoenixCorpus.Load(Path.Combine(Out, "annotations"), "train").Count);

        var forced = Synth("--out", Out, "--train", "2", "--dev", "1", "--test", "1", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(2, PhoenixCorpus.Load(Path.Combine(Out, "annotations"), "train").Count);
    }

    [Fact]
    public void Synth_FromAnnotationsInPlaceTwice_RefusedWithoutForce()
    {
        string annotations = Directory.CreateDirectory(Path.Combine(Out, "annotations")).FullName;
        File.Copy(Path.Combine(WriteCorpus(), DatasetLayout.CorpusFileName("test")), Path.Combine(annotations, DatasetLayout.CorpusFileName("test")));
        Assert.Equal(0, Synth("--out", Out, "--from-annotations", annotations).ExitCode);

        var refused = Synth("--out", Out, "--from-annotations", annotations);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("clip_a.npy", refused.Error);
        Assert.Contains("--force", refused.Error);
        Assert.Equal(0, Synth("--out", Out, "--from-annotations", annotations, "--force").ExitCode);
    }

    [Fact]
    public void Synth_OutIsAFile_ExitsOne()
    {
        string file = Path.Combine(_dir, "file.txt");
        File.WriteAllText(file, "x");
        var r = Synth("--out", file, "--train", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is a file", r.Error);
    }

    [Fact]
    public void Synth_MissingAnnotationsFolder_ExitsOneAndNamesIt()
    {
        string missing = Path.Combine(_dir, "no-such-annotations");
        var r = Synth("--out", Out, "--from-annotations", missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(missing, r.Error);
        Assert.Contains("does not exist", r.Error);
    }

    [Fact]
    public void Synth_AnnotationsFolderWithoutCorpus_ExitsOneAndSaysWhatIsExpected()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var r = Synth("--out", Out, "--from-annotations", empty);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("PHOENIX-2014-T.{train,dev,test}.corpus.csv", r.Error);
    }

    [Fact]
    public void Synth_FromAnnotationsWithCounts_ExitsOne()
    {
        string annotations = WriteCorpus();
        var r = Synth("--out", Out, "--from-annotations", annotations, "--train", "5");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--train cannot be combined with --from-annotations", r.Error);
    }

    [Fact]
    public void Synth_FromAnnotations_SimulatesFeaturesForTheCorpus()
    {
        string annotations = WriteCorpus();
        var r = Synth("--out", Out, "--from-annotations", annotations);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("simulated features for an existing corpus", r.Output);
        Assert.True(File.Exists(Path.Combine(Out, "annotations", DatasetLayout.CorpusFileName("test"))));
        Assert.True(File.Exists(Path.Combine(Out, "kpts", "test", "clip_b.npy")));
        Assert.True(File.Exists(Path.Combine(Out, "siglip_vitb16", "test", "clip_a.npy")));
    }

    [Fact]
    public void Synth_FromAnnotationsWithBadCorpus_ExitsOneAndNamesTheFile()
    {
        string annotations = Directory.CreateDirectory(Path.Combine(_dir, "bad")).FullName;
        File.WriteAllText(Path.Combine(annotations, DatasetLayout.CorpusFileName("train")), "name|video\nx|y\n");
        var r = Synth("--out", Out, "--from-annotations", annotations);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(DatasetLayout.CorpusFileName("train"), r.Error);
    }

    [Fact]
    public void Run_CancelledToken_Exits130WithoutAnnotations()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SynthCommand.Run(new Core.Data.Synthetic.SynthOptions(Out, 5, 1, 1), output, error, cts.Token);
        Assert.Equal(130, code);
        Assert.Contains("cancelled", error.ToString());
        Assert.False(File.Exists(Path.Combine(Out, "annotations", DatasetLayout.CorpusFileName("train"))));
    }

    private string WriteCorpus()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "annotations-src")).FullName;
        File.WriteAllText(Path.Combine(dir, DatasetLayout.CorpusFileName("test")),
            "name|video|start|end|speaker|orth|translation\n" +
            "clip_a|clip_a/1/*.png|-1|-1|Signer02|MORGEN SUED SONNE|morgen scheint im süden die sonne .\n" +
            "clip_b|clip_b/1/*.png|-1|-1|Signer05|NORD REGEN|im norden regnet es .\n");
        return dir;
    }
}
