using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Data.Synthetic;

public sealed class SyntheticPhoenixGeneratorTests : IDisposable
{
    private readonly List<string> _dirs = [];

    private string NewDir()
    {
        string dir = TestPaths.NewTempDir("phoenix-synth");
        _dirs.Add(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (string dir in _dirs)
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private SynthSummary Generate(string dir, int train = 40, int dev = 10, int test = 10, int seed = 42, int parallelism = 2)
        => SyntheticPhoenixGenerator.Generate(new SynthOptions(dir, train, dev, test, seed) { MaxParallelism = parallelism });

    private static Dictionary<string, byte[]> Files(string root)
        => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    [Fact]
    public void Generate_SameSeedTwice_ByteIdenticalFiles()
    {
        string a = NewDir(), b = NewDir();
        Generate(a, 12, 4, 4, seed: 7, parallelism: 2);
        Generate(b, 12, 4, 4, seed: 7, parallelism: 1);
        var fa = Files(a);
        var fb = Files(b);
        Assert.Equal(fa.Keys.Order(), fb.Keys.Order());
        Assert.Equal(3 + 2 * 20, fa.Count);
        foreach (var (name, bytes) in fa)
            Assert.True(bytes.AsSpan().SequenceEqual(fb[name]), $"{name} differs between two runs with the same seed");
    }

    [Fact]
    public void Generate_DifferentSeeds_DifferentFiles()
    {
        string a = NewDir(), b = NewDir();
        Generate(a, 8, 2, 2, seed: 1);
        Generate(b, 8, 2, 2, seed: 2);
        var fa = Files(a);
        var fb = Files(b);
        Assert.False(fa[Path.Combine("annotations", "PHOENIX-2014-T.train.corpus.csv")].AsSpan()
            .SequenceEqual(fb[Path.Combine("annotations", "PHOENIX-2014-T.train.corpus.csv")]));
        string kp = Path.Combine("kpts", "train", "synth_train_00001.npy");
        Assert.False(fa[kp].AsSpan().SequenceEqual(fb[kp]));
    }

    [Fact]
    public void Generate_SmallDataset_OfficialLayoutReadableByCorpusAndNpyReaders()
    {
        string dir = NewDir();
        var summary = Generate(dir);
        var layout = new DatasetLayout(dir);
        var counts = new Dictionary<string, int> { ["train"] = 40, ["dev"] = 10, ["test"] = 10 };
        long frames = 0;
        foreach (string split in DatasetLayout.Splits)
        {
            Assert.True(File.Exists(layout.CorpusFile(split)));
            Assert.StartsWith("name|video|start|end|speaker|orth|translation\n", File.ReadAllText(layout.CorpusFile(split)));
            var rows = PhoenixCorpus.Load(layout.AnnotationsDir, split);
            Assert.Equal(counts[split], rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                Assert.Equal($"synth_{split}_{i + 1:00000}", row.Name);
                Assert.Equal($"{row.Name}/1/*.png", row.Video);
                Assert.Equal(-1, row.Start);
                Assert.Equal(-1, row.End);
                Assert.Matches("^Signer0[1-9]$", row.Speaker);
                Assert.NotEmpty(row.Orth);
                Assert.EndsWith(" .", row.Translation);

                var kp = NpyFile.Read(Path.Combine(layout.KeypointsDir, split, row.Name + ".npy"));
                Assert.Equal(3, kp.Rank);
                Assert.Equal(75, kp.Dim(1));
                Assert.Equal(3, kp.Dim(2));
                var siglipPath = Path.Combine(layout.SiglipDir, split, row.Name + ".npy");
                var siglip = NpyFile.Read(siglipPath);
                Assert.Equal([(kp.Dim(0) + 1) / 2, 768], siglip.Shape);
                Assert.Equal(NpyElementType.Float16, NpyFile.ReadHeader(siglipPath).Format.ElementType);
                Assert.Equal(NpyElementType.Float32, NpyFile.ReadHeader(Path.Combine(layout.KeypointsDir, split, row.Name + ".npy")).Format.ElementType);
                frames += kp.Dim(0);
            }
        }
        Assert.Equal(60, summary.Samples);
        Assert.Equal(frames, summary.Frames);
        Assert.InRange(summary.MeanFrames, 50, 130);
        Assert.True(summary.Bytes > 0);
    }

    [Fact]
    public void Generate_SmallDataset_AllNineSignersAppear()
    {
        string dir = NewDir();
        var summary = Generate(dir);
        var speakers = DatasetLayout.Splits.SelectMany(s => PhoenixCorpus.Load(Path.Combine(dir, "annotations"), s)).Select(r => r.Speaker).Distinct().Order();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"Signer{i:00}"), speakers);
        // Signers follow the golden-ratio sequence {offset + i·0.618…}: its largest gap after 40 points is 0.034,
        // below the smallest share (0.06), so the 40 training samples alone contain every signer whatever the seed.
        int trainSpeakers = PhoenixCorpus.Load(Path.Combine(dir, "annotations"), "train").Select(r => r.Speaker).Distinct().Count();
        Assert.Equal(9, trainSpeakers);
        Assert.Equal(9, summary.Splits.Single(s => s.Split == "train").Signers);
    }

    [Fact]
    public void Generate_SmallDataset_FilesHaveMissingHandsAsZerosAndAsNaN()
    {
        string dir = NewDir();
        var summary = Generate(dir, 20, 0, 0);
        int nanFiles = 0, zeroFiles = 0;
        foreach (string file in Directory.EnumerateFiles(Path.Combine(dir, "kpts", "train")))
        {
            var kp = NpyFile.Read(file);
            bool nan = false, zero = false;
            for (int t = 0; t < kp.Dim(0); t++)
                for (int hand = 0; hand < 2; hand++)
                {
                    var block = kp.Data.AsSpan((t * 75 + 33 + 21 * hand) * 3, 63);
                    if (block.ToArray().All(float.IsNaN)) nan = true;
                    if (block.ToArray().All(v => v == 0)) zero = true;
                }
            if (nan) nanFiles++;
            if (zero) zeroFiles++;
        }
        Assert.True(nanFiles > 0 && zeroFiles > 0, $"NaN files {nanFiles}, zero files {zeroFiles}");
        Assert.True(summary.Splits[0].FramesMissingLeftHand > 0);
        Assert.True(summary.Splits[0].FramesMissingRightHand > 0);
        Assert.Single(summary.Splits); // empty splits are not written
        Assert.False(File.Exists(Path.Combine(dir, "annotations", "PHOENIX-2014-T.dev.corpus.csv")));
    }

    [Fact]
    public void Generate_Progress_ReportsEachSplitAndEndsAtTotal()
    {
        string dir = NewDir();
        var reports = new List<SynthProgress>();
        SyntheticPhoenixGenerator.Generate(new SynthOptions(dir, 30, 5, 5), new SyncProgress(reports.Add));
        Assert.Equal(40, reports[^1].Done);
        Assert.Equal(40, reports[^1].Total);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(["train", "dev", "test"], reports.Select(r => r.Split).Distinct());
        foreach (string split in new[] { "train", "dev", "test" })
        {
            var last = reports.Last(r => r.Split == split);
            Assert.Equal(last.SplitTotal, last.SplitDone);
        }
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.Done > p.First.Done), "overall progress only moves forward");
    }

    [Fact]
    public void Generate_Cancelled_ThrowsAndLeavesNoAnnotations()
    {
        string dir = NewDir();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Done >= 5) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticPhoenixGenerator.Generate(new SynthOptions(dir, 200, 10, 10) { MaxParallelism = 1 }, progress, cts.Token));
        Assert.False(Directory.Exists(Path.Combine(dir, "annotations")) && Directory.EnumerateFiles(Path.Combine(dir, "annotations")).Any());
        Assert.True(Directory.EnumerateFiles(Path.Combine(dir, "kpts", "train")).Count() < 200);
    }

    [Fact]
    public void Generate_ExistingDataset_RefusedUnlessOverwrite()
    {
        string dir = NewDir();
        Generate(dir, 10, 2, 2);
        var e = Assert.Throws<SynthOutputExistsException>(() => Generate(dir, 10, 2, 2));
        Assert.Contains("PHOENIX-2014-T.train.corpus.csv", e.Message);
        Assert.Contains("already holds a dataset", e.Message);

        SyntheticPhoenixGenerator.Generate(new SynthOptions(dir, 4, 2, 2) { Overwrite = true });
        Assert.Equal(4, PhoenixCorpus.Load(Path.Combine(dir, "annotations"), "train").Count);
        // Feature files of the earlier, larger run are removed with it.
        Assert.Equal(4, Directory.EnumerateFiles(Path.Combine(dir, "kpts", "train")).Count());
        Assert.Equal(4, Directory.EnumerateFiles(Path.Combine(dir, "siglip_vitb16", "train")).Count());
    }

    [Fact]
    public void Generate_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticPhoenixGenerator.Generate(new SynthOptions(NewDir(), -1, 1, 1)));
    }

    [Fact]
    public void Generate_Siglip32_WritesFloat32()
    {
        string dir = NewDir();
        SyntheticPhoenixGenerator.Generate(new SynthOptions(dir, 2, 0, 0) { SiglipFloat16 = false });
        var header = NpyFile.ReadHeader(Path.Combine(dir, "siglip_vitb16", "train", "synth_train_00001.npy"));
        Assert.Equal(NpyElementType.Float32, header.Format.ElementType);
    }

    // ---- from annotations ---------------------------------------------------------------------------

    private static readonly string OfficialCorpus =
        "name|video|start|end|speaker|orth|translation\n" +
        "01April_2010_Thursday_heute-6694|01April_2010_Thursday_heute-6694/1/*.png|-1|-1|Signer04|WIE AUSSEHEN IX __ON__ loc-NORD|und nun die wettervorhersage .\n" +
        "03May_2011_Tuesday_tagesschau-1234|03May_2011_Tuesday_tagesschau-1234/1/*.png|-1|-1|Signer08|REGEN SCHNEE REGION VERSCHWINDEN NORDWEST NORD ZONE MEHR SONNE|regen und schnee lassen an den alpen nach .\n" +
        "24January_2013_Thursday_heute-1|24January_2013_Thursday_heute-1/1/*.png|-1|-1|Presenter|SONNE|sonne .\n";

    private string WriteCorpus(string? dir = null, string split = "dev", string content = "")
    {
        dir ??= NewDir();
        File.WriteAllText(Path.Combine(dir, DatasetLayout.CorpusFileName(split)), content.Length > 0 ? content : OfficialCorpus);
        return dir;
    }

    [Fact]
    public void Generate_FromAnnotations_FeaturesForEveryRowAndCorpusCopied()
    {
        string source = WriteCorpus();
        string outDir = NewDir();
        var summary = SyntheticPhoenixGenerator.Generate(new SynthOptions(outDir) { FromAnnotations = source });

        Assert.True(summary.FromAnnotations);
        Assert.Equal(3, summary.Samples);
        var copied = Path.Combine(outDir, "annotations", "PHOENIX-2014-T.dev.corpus.csv");
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "PHOENIX-2014-T.dev.corpus.csv")), File.ReadAllBytes(copied));
        Assert.False(File.Exists(Path.Combine(outDir, "annotations", "PHOENIX-2014-T.train.corpus.csv")));
        var frames = new Dictionary<string, int>();
        foreach (var row in PhoenixCorpus.Load(Path.Combine(outDir, "annotations"), "dev"))
        {
            var kp = NpyFile.Read(Path.Combine(outDir, "kpts", "dev", row.Name + ".npy"));
            var siglip = NpyFile.Read(Path.Combine(outDir, "siglip_vitb16", "dev", row.Name + ".npy"));
            Assert.Equal((kp.Dim(0) + 1) / 2, siglip.Dim(0));
            frames[row.Name] = kp.Dim(0);
        }
        // Nine glosses take longer to sign than one.
        Assert.True(frames["03May_2011_Tuesday_tagesschau-1234"] > frames["24January_2013_Thursday_heute-1"] + 40);
    }

    [Fact]
    public void Generate_FromAnnotationsTwice_SameBytesIncludingUnknownGlosses()
    {
        string source = WriteCorpus();
        string a = NewDir(), b = NewDir();
        SyntheticPhoenixGenerator.Generate(new SynthOptions(a) { FromAnnotations = source });
        SyntheticPhoenixGenerator.Generate(new SynthOptions(b) { FromAnnotations = source, MaxParallelism = 1 });
        var fa = Files(a);
        var fb = Files(b);
        Assert.Equal(fa.Keys.Order(), fb.Keys.Order());
        foreach (var (name, bytes) in fa) Assert.True(bytes.AsSpan().SequenceEqual(fb[name]), name);
    }

    [Fact]
    public void Generate_FromAnnotationsInPlace_WritesFeaturesNextToTheCorpus()
    {
        string root = NewDir();
        string annotations = Directory.CreateDirectory(Path.Combine(root, "annotations")).FullName;
        WriteCorpus(annotations);
        SyntheticPhoenixGenerator.Generate(new SynthOptions(root) { FromAnnotations = annotations });
        Assert.True(File.Exists(Path.Combine(root, "kpts", "dev", "01April_2010_Thursday_heute-6694.npy")));
        // A second run would replace the features: refused unless overwriting.
        var e = Assert.Throws<SynthOutputExistsException>(() => SyntheticPhoenixGenerator.Generate(new SynthOptions(root) { FromAnnotations = annotations }));
        Assert.Contains("already exists", e.Message);
        SyntheticPhoenixGenerator.Generate(new SynthOptions(root) { FromAnnotations = annotations, Overwrite = true });
    }

    [Fact]
    public void Generate_FromPlainCsvWithoutGlosses_UsesTranslationWords()
    {
        string source = NewDir();
        File.WriteAllText(Path.Combine(source, "train.csv"), "name,translation\nclip1,\"am tag scheint die sonne .\"\n");
        string outDir = NewDir();
        var summary = SyntheticPhoenixGenerator.Generate(new SynthOptions(outDir) { FromAnnotations = source });
        Assert.Equal(1, summary.Samples);
        Assert.True(File.Exists(Path.Combine(outDir, "annotations", "train.csv")));
        Assert.True(NpyFile.Read(Path.Combine(outDir, "kpts", "train", "clip1.npy")).Dim(0) > 30);
    }

    [Fact]
    public void GlossesOf_RowWithoutOrth_UppercaseTranslationWords()
    {
        var glosses = SyntheticPhoenixGenerator.GlossesOf(new PhoenixSample("x", "am tag scheint die sonne ."));
        Assert.Equal(["AM", "TAG", "SCHEINT", "DIE", "SONNE"], glosses);
        Assert.Equal(["REGEN", "loc-NORD"], SyntheticPhoenixGenerator.GlossesOf(new PhoenixSample("x", "t .", "REGEN  loc-NORD")));
    }

    [Fact]
    public void Generate_FromAnnotationsWithUnsafeName_ErrorNamesTheFile()
    {
        string source = WriteCorpus(content: "name|video|start|end|speaker|orth|translation\n../escape|v|-1|-1|Signer01|SONNE|sonne .\n");
        var e = Assert.Throws<PhoenixDataException>(() => SyntheticPhoenixGenerator.Generate(new SynthOptions(NewDir()) { FromAnnotations = source }));
        Assert.Contains("PHOENIX-2014-T.dev.corpus.csv", e.Message);
        Assert.Contains("../escape", e.Message);
    }

    [Fact]
    public void Generate_FromMissingAnnotationsFolder_ErrorNamesTheFolder()
    {
        string missing = Path.Combine(NewDir(), "nope");
        var e = Assert.Throws<PhoenixDataException>(() => SyntheticPhoenixGenerator.Generate(new SynthOptions(NewDir()) { FromAnnotations = missing }));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Generate_FromAnnotationsFolderWithoutCorpus_ErrorSaysWhatIsExpected()
    {
        var e = Assert.Throws<PhoenixDataException>(() => SyntheticPhoenixGenerator.Generate(new SynthOptions(NewDir()) { FromAnnotations = NewDir() }));
        Assert.Contains("PHOENIX-2014-T.train.corpus.csv", e.Message);
    }

    /// Calls back synchronously (Progress&lt;T&gt; would post to the thread pool and arrive late).
    private sealed class SyncProgress(Action<SynthProgress> report) : IProgress<SynthProgress>
    {
        public void Report(SynthProgress value) => report(value);
    }
}
