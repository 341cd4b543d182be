using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Benchmarks;

/// A real SLT checkpoint to translate with, made the way the web translation tests make theirs: a synthetic dataset
/// (10 train, 4 dev, 3 test clips, seed 9) and `train slt` for a few steps from scratch with the given preset.
/// <param name="Folder">The best/ checkpoint folder.</param>
/// <param name="Clips">Every clip of the dataset (all splits), read as the portal reads an upload.</param>
/// <param name="TrainSeconds">Wall time of dataset generation and training.</param>
public sealed record TranslationBenchmarkCheckpoint(string Preset, string Folder, IReadOnlyList<FeatureSample> Clips, double TrainSeconds)
{
    private static readonly string[] Splits = ["train", "dev", "test"];

    /// Generates the dataset under <paramref name="root"/>/data (once per root) and trains a checkpoint of
    /// <paramref name="preset"/> under <paramref name="root"/>/checkpoints/<paramref name="preset"/>.
    public static TranslationBenchmarkCheckpoint Create(string root, string preset, long trainSteps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string dataDir = Path.Combine(root, "data", "synth");
        if (!Directory.Exists(dataDir))
            SyntheticPhoenixGenerator.Generate(new SynthOptions(dataDir, Train: 10, Dev: 4, Test: 3, Seed: 9) { MaxParallelism = 2 });
        var options = new RunSpec
        {
            Phase = TrainingPhaseNames.Slt,
            Data = dataDir,
            Out = Path.Combine(root, "checkpoints", preset),
            Preset = preset,
            MaxSteps = trainSteps,
            BatchSize = 5,
            LrEncoder = LearningRate(preset),
            Beams = 1,
        };
        string folder;
        using (var session = TrainingSession.Create(options))
            folder = session.Run().BestCheckpoint
                ?? throw new InvalidOperationException($"training the {preset} checkpoint in {options.Out} wrote no best checkpoint");
        return new TranslationBenchmarkCheckpoint(preset, folder, ReadClips(dataDir), clock.Elapsed.TotalSeconds);
    }

    /// The web tests' 3e-3 for tiny (its outputs then run to the maximum length); the default rate (1e-4) for base,
    /// whose scratch decoder collapses to an immediate EOS (empty translations, no decoding work) at 3e-3.
    public static double? LearningRate(string preset) => ModelPresets.Normalize(preset) == "tiny" ? 3e-3 : null;

    private static List<FeatureSample> ReadClips(string dataDir)
    {
        var layout = new DatasetLayout(dataDir);
        var store = new FeatureStore(layout);
        return [.. Splits.SelectMany(split => PhoenixCorpus.Load(layout.AnnotationsDir, split).Select(sample => ClipReader.Read(
            store.FindFile(FeatureKind.Keypoints, split, sample.Name) ?? throw new FileNotFoundException($"no keypoint file for {sample.Name} in {layout.KeypointsDir}"),
            store.FindFile(FeatureKind.Siglip, split, sample.Name) ?? throw new FileNotFoundException($"no SigLIP file for {sample.Name} in {layout.SiglipDir}"),
            sample.Name)))];
    }
}
