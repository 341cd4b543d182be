using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Data;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Checkpoint folders: metadata round trip, atomic save, listing, deletion and errors naming the folder.
public sealed class CheckpointStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CheckpointStore Store() => new(_dir.File("checkpoints"));

    private static CheckpointContent Content(CheckpointMetadata metadata, ISltTokenizer? tokenizer = null)
    {
        var weights = new Dictionary<string, Tensor>
        {
            ["w"] = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3).DetachFromDisposeScope(),
            ["b"] = torch.tensor(new long[] { 7, 8 }).DetachFromDisposeScope(),
        };
        return new CheckpointContent(metadata, weights) { Tokenizer = tokenizer };
    }

    private static CheckpointMetadata Metadata(DateTimeOffset created, long step = 0)
        => CheckpointMetadata.Create(CheckpointPhase.Slt, MBartConfig.Tiny) with { CreatedUtc = created, Step = step };

    [Fact]
    public void Save_ThenLoadMetadata_RoundTripsEveryField()
    {
        var store = Store();
        var metadata = CheckpointMetadata.Create(CheckpointPhase.Vlp, MBartConfig.Tiny) with
        {
            Step = 1234,
            Epoch = 5,
            Metrics = new Dictionary<string, double> { ["bleu4"] = 21.5, ["loss"] = double.NaN },
            BestMetric = new BestMetric("bleu4", 22.25, 1000),
            ParentCheckpoint = "/somewhere/vlp/best",
            CreatedUtc = T0,
        };

        string folder = store.Save("run-1/epoch-0005", Content(metadata));
        var loaded = CheckpointStore.LoadMetadata(folder);

        Assert.Equal(Path.Combine(store.Root, "run-1", "epoch-0005"), folder);
        Assert.Equal(CheckpointPhase.Vlp, loaded.Phase);
        Assert.Equal(1234, loaded.Step);
        Assert.Equal(5, loaded.Epoch);
        Assert.Equal(21.5, loaded.Metrics["bleu4"]);
        Assert.True(double.IsNaN(loaded.Metrics["loss"]));
        Assert.Equal(new BestMetric("bleu4", 22.25, 1000), loaded.BestMetric);
        Assert.Equal("/somewhere/vlp/best", loaded.ParentCheckpoint);
        Assert.Equal(T0, loaded.CreatedUtc);
        Assert.Equal(CheckpointMetadata.CurrentFormatVersion, loaded.FormatVersion);
        Assert.Equal(MBartConfig.Tiny, loaded.ReadModelConfig<MBartConfig>());
    }

    [Fact]
    public void Save_PhaseAndConfig_AreWrittenWithLowerCaseAndSnakeCaseNames()
    {
        string folder = Store().Save("c", Content(Metadata(T0) with { Phase = CheckpointPhase.MBart }));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "checkpoint.json")));
        Assert.Equal("mbart", json.RootElement.GetProperty("phase").GetString());
        Assert.Equal(64, json.RootElement.GetProperty("model_config").GetProperty("d_model").GetInt32());
        Assert.Equal(T0, json.RootElement.GetProperty("created_utc").GetDateTimeOffset());
    }

    [Fact]
    public void Save_Weights_AreReadBackByName()
    {
        string folder = Store().Save("c", Content(Metadata(T0)));

        using var weights = CheckpointStore.OpenWeights(folder);
        using var w = weights.Read("w");
        using var b = weights.Read("b");
        Assert.Equal([0f, 1, 2, 3, 4, 5], w.data<float>().ToArray());
        Assert.Equal([2L, 3], w.shape);
        Assert.Equal([7L, 8], b.data<long>().ToArray());
    }

    [Fact]
    public void Save_WithoutCreatedTime_UsesTheStoreClock()
    {
        var clock = new FixedClock(T0.AddHours(3));
        var store = new CheckpointStore(_dir.File("checkpoints"), clock);

        string folder = store.Save("c", Content(CheckpointMetadata.Create(CheckpointPhase.Text, MBartConfig.Tiny)));

        Assert.Equal(T0.AddHours(3), CheckpointStore.LoadMetadata(folder).CreatedUtc);
    }

    [Fact]
    public void Save_SentencePieceTokenizer_RecordsTheFileAndLoadsBack()
    {
        var tokenizer = MBartTokenizer.Load(TestPaths.Fixture("mbart-tiny", "sentencepiece.bpe.model"));

        string folder = Store().Save("c", Content(Metadata(T0), tokenizer));
        var loaded = CheckpointStore.LoadTokenizer(folder);

        Assert.Equal("sentencepiece.bpe.model", CheckpointStore.LoadMetadata(folder).TokenizerFile);
        Assert.Equal("sentencepiece", loaded.Kind);
        Assert.Equal(tokenizer.Encode("am montag regnet es"), loaded.Encode("am montag regnet es"));
    }

    [Fact]
    public void Save_CorpusTokenizer_RecordsTheFileAndLoadsBack()
    {
        var tokenizer = CorpusTokenizer.Build(["morgen regnet es", "im norden sonne"]);

        string folder = Store().Save("c", Content(Metadata(T0), tokenizer));
        var loaded = CheckpointStore.LoadTokenizer(folder);

        Assert.Equal(CorpusTokenizer.FileName, CheckpointStore.LoadMetadata(folder).TokenizerFile);
        Assert.Equal("corpus-words", loaded.Kind);
        Assert.Equal(tokenizer.Encode("im norden regnet es"), loaded.Encode("im norden regnet es"));
    }

    [Fact]
    public void Save_WriterFails_LeavesNoFolderAndNoTemporaryFolder()
    {
        var store = Store();
        var content = Content(Metadata(T0)) with { WriteExtraFiles = _ => throw new IOException("disk full") };

        Assert.Throws<IOException>(() => store.Save("c", content));

        Assert.False(Directory.Exists(Path.Combine(store.Root, "c")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.Root));
    }

    [Fact]
    public void Save_ExistingWithoutOverwrite_ThrowsAndKeepsTheOldCheckpoint()
    {
        var store = Store();
        string folder = store.Save("c", Content(Metadata(T0, step: 1)));

        var e = Assert.Throws<CheckpointExistsException>(() => store.Save("c", Content(Metadata(T0, step: 2))));

        Assert.Contains(folder, e.Message);
        Assert.Equal(1, CheckpointStore.LoadMetadata(folder).Step);
    }

    [Fact]
    public void Save_ExistingWithOverwrite_ReplacesItWithoutLeftovers()
    {
        var store = Store();
        string folder = store.Save("c", Content(Metadata(T0, step: 1)) with { WriteExtraFiles = f => File.WriteAllText(Path.Combine(f, "old.txt"), "x") });

        store.Save("c", Content(Metadata(T0, step: 2)), overwrite: true);

        Assert.Equal(2, CheckpointStore.LoadMetadata(folder).Step);
        Assert.False(File.Exists(Path.Combine(folder, "old.txt")));
        Assert.Equal(["c"], Directory.EnumerateDirectories(store.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_FailedOverwrite_KeepsTheOldCheckpoint()
    {
        var store = Store();
        string folder = store.Save("c", Content(Metadata(T0, step: 1)));

        Assert.Throws<IOException>(() => store.Save("c", Content(Metadata(T0, step: 2)) with { WriteExtraFiles = _ => throw new IOException("disk full") }, overwrite: true));

        Assert.Equal(1, CheckpointStore.LoadMetadata(folder).Step);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/abs/path")]
    [InlineData("run/.tmp-x")]
    public void Save_NameOutsideRootOrTemporary_IsRejected(string name)
    {
        Assert.Throws<ArgumentException>(() => Store().Save(name, Content(Metadata(T0))));
    }

    [Fact]
    public void List_NestedCheckpoints_NewestFirstSkippingTemporaryFolders()
    {
        var store = Store();
        store.Save("run-a/epoch-1", Content(Metadata(T0.AddMinutes(1))));
        store.Save("run-a/epoch-2", Content(Metadata(T0.AddMinutes(3))));
        store.Save("run-b/deep/best", Content(Metadata(T0.AddMinutes(2))));
        store.Save("top", Content(Metadata(T0)));
        Directory.CreateDirectory(Path.Combine(store.Root, ".tmp-half-written"));
        File.WriteAllText(Path.Combine(store.Root, ".tmp-half-written", "checkpoint.json"), "{}");
        Directory.CreateDirectory(Path.Combine(store.Root, "empty-run"));

        var entries = store.List();

        Assert.Equal(["run-a/epoch-2", "run-b/deep/best", "run-a/epoch-1", "top"], entries.Select(e => e.RelativeTo(store.Root)));
        Assert.All(entries, e => Assert.True(e.IsValid));
    }

    [Fact]
    public void List_CorruptCheckpointJson_IsListedWithItsProblem()
    {
        var store = Store();
        store.Save("good", Content(Metadata(T0)));
        string bad = Path.Combine(store.Root, "bad");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "checkpoint.json"), "{ not json");

        var entries = store.List();

        var entry = Assert.Single(entries, e => !e.IsValid);
        Assert.Equal(bad, entry.Folder);
        Assert.Contains(bad, entry.Problem);
        Assert.Contains("checkpoint.json", entry.Problem);
    }

    [Fact]
    public void List_MissingRoot_IsEmpty()
    {
        Assert.Empty(new CheckpointStore(_dir.File("nothing-here")).List());
    }

    [Fact]
    public void Delete_Checkpoint_RemovesTheFolder()
    {
        var store = Store();
        string folder = store.Save("run/c", Content(Metadata(T0)));

        store.Delete(folder);

        Assert.False(Directory.Exists(folder));
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(store.Root, "run")));
    }

    [Fact]
    public void Delete_FolderWithoutCheckpointJson_IsRefused()
    {
        var store = Store();
        string plain = Path.Combine(store.Root, "data");
        Directory.CreateDirectory(plain);

        var e = Assert.Throws<ArgumentException>(() => store.Delete(plain));

        Assert.Contains("not a checkpoint folder", e.Message);
        Assert.True(Directory.Exists(plain));
    }

    [Fact]
    public void Delete_FolderOutsideRoot_IsRefused()
    {
        var store = Store();
        string outside = new CheckpointStore(_dir.File("other")).Save("c", Content(Metadata(T0)));

        Assert.Throws<ArgumentException>(() => store.Delete(outside));
        Assert.True(Directory.Exists(outside));
    }

    [Fact]
    public void LoadMetadata_MissingCheckpointJson_NamesTheFolder()
    {
        string folder = _dir.File("weights-only");
        Directory.CreateDirectory(folder);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointStore.LoadMetadata(folder));

        Assert.Equal(folder, e.FilePath);
        Assert.Contains("checkpoint.json is missing", e.Message);
    }

    [Fact]
    public void LoadMetadata_MissingFolder_NamesTheFolder()
    {
        string folder = _dir.File("gone");

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointStore.LoadMetadata(folder));

        Assert.Equal(folder, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData("{ \"phase\": ")]
    [InlineData("[]")]
    [InlineData("{ \"model_config\": {} }")]
    [InlineData("{ \"phase\": \"dance\", \"model_config\": {} }")]
    [InlineData("{ \"phase\": \"slt\", \"model_config\": 3 }")]
    [InlineData("{ \"phase\": \"slt\", \"model_config\": {}, \"step\": -1 }")]
    [InlineData("{ \"phase\": \"slt\", \"model_config\": {}, \"tokenizer_file\": \"../x.model\" }")]
    public void LoadMetadata_CorruptCheckpointJson_NamesTheFolder(string json)
    {
        string folder = _dir.File("corrupt");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "checkpoint.json"), json);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointStore.LoadMetadata(folder));

        Assert.Equal(folder, e.FilePath);
        Assert.Contains("checkpoint.json", e.Message);
    }

    [Fact]
    public void LoadMetadata_NewerFormatVersion_AsksForAnUpdate()
    {
        string folder = _dir.File("future");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "checkpoint.json"), "{ \"format_version\": 99, \"phase\": \"slt\", \"model_config\": {} }");

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointStore.LoadMetadata(folder));

        Assert.Contains("update phoenix-slt", e.Message);
    }

    [Fact]
    public void OpenWeights_FolderWithoutCheckpointJson_NamesTheFolder()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointStore.OpenWeights(TestPaths.Fixture("mbart-tiny")));

        Assert.Equal(TestPaths.Fixture("mbart-tiny"), e.FilePath);
    }

    [Theory]
    [InlineData(10.0, 11.0, true, true)]
    [InlineData(10.0, 10.0, true, false)]
    [InlineData(10.0, 9.0, false, true)]
    [InlineData(10.0, double.NaN, true, false)]
    [InlineData(double.NaN, 1.0, false, true)]
    public void BestMetric_IsImprovedBy_FollowsTheDirection(double best, double candidate, bool higherIsBetter, bool improved)
    {
        Assert.Equal(improved, new BestMetric("m", best, 0, higherIsBetter).IsImprovedBy(candidate));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
