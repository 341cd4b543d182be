using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Tests.Translation;

/// A synthetic dataset (10 train, 4 dev, 3 test clips) and an slt checkpoint trained on it for a few steps, under
/// <see cref="CheckpointRoot"/>; a copy of it in a second folder for cache tests.
public sealed class SltCheckpointFixture : IDisposable
{
    public SltCheckpointFixture()
    {
        Root = TestPaths.NewTempDir("phoenix-translate");
        DataDir = Path.Combine(Root, "data", "synth");
        SyntheticPhoenixGenerator.Generate(new SynthOptions(DataDir, Train: 10, Dev: 4, Test: 3, Seed: 9) { MaxParallelism = 2 });
        var options = new RunSpec
        {
            Phase = TrainingPhaseNames.Slt,
            Data = DataDir,
            Out = Path.Combine(CheckpointRoot, "run"),
            MaxSteps = 6,
            BatchSize = 5,
            LrEncoder = 3e-3,
            Beams = 1,
            GlossCtcWeight = 0,                     // a gloss-free checkpoint (the synthetic corpus has glosses, which would add a head)
        };
        using (var session = TrainingSession.Create(options))
            Checkpoint = session.Run().BestCheckpoint!;
        using (var session = TrainingSession.Create(options with { Out = Path.Combine(CheckpointRoot, "gloss-run"), MaxSteps = 3, GlossCtcWeight = 1 }))
            GlossCheckpoint = session.Run().BestCheckpoint!;
        CopyCheckpoint = Path.Combine(CheckpointRoot, "copy");
        Directory.CreateDirectory(CopyCheckpoint);
        foreach (string file in Directory.GetFiles(Checkpoint))
            File.Copy(file, Path.Combine(CopyCheckpoint, Path.GetFileName(file)));
        var layout = new DatasetLayout(DataDir);
        var store = new FeatureStore(layout);
        Samples = [.. new[] { "train", "dev", "test" }.SelectMany(split => PhoenixCorpus.Load(layout.AnnotationsDir, split).Select(s => (split, s)))
            .Select(x => new ClipFiles(x.s.Name, x.s.Translation, store.FindFile(FeatureKind.Keypoints, x.split, x.s.Name)!, store.FindFile(FeatureKind.Siglip, x.split, x.s.Name)!))];
    }

    public string Root { get; }
    public string DataDir { get; }
    public string CheckpointRoot => Path.Combine(Root, "checkpoints");
    public string Checkpoint { get; }
    public string CopyCheckpoint { get; }

    /// An slt checkpoint with a gloss CTC head (gloss_ctc_weight 1).
    public string GlossCheckpoint { get; }

    /// Every clip of the dataset with its files.
    public IReadOnlyList<ClipFiles> Samples { get; }

    public void Dispose()
    {
        TestPaths.TryDeleteDir(Root);
    }

    public sealed record ClipFiles(string Name, string Reference, string Keypoints, string Siglip);
}

/// Tests that load models run one at a time (both cores, TorchSharp's global state).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SltCheckpointCollection : ICollectionFixture<SltCheckpointFixture>
{
    public const string Name = "Translation with an slt checkpoint";
}
