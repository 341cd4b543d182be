using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Tests.Data;
using PhoenixSlt.Core.Tests.Modules;
using PhoenixSlt.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Inference;

/// A tiny SLT model overfitted in memory on two clips (one Adam run, as the phase-2 loss trains it) and saved the way
/// the trainer saves one: weights, checkpoint.json, the fixture tokenizer and training.json with decoding limits.
public sealed class TrainedSltCheckpointFixture : IDisposable
{
    public const int MaxFrames = 32;
    public const int MaxNewTokens = 24;
    private const int Steps = 100;

    private readonly TempDir _dir = new();

    public TrainedSltCheckpointFixture()
    {
        Clips = [Clip("montag", ModelTestData.Sentences[0], 9, 5, seed: 1), Clip("morgen", ModelTestData.Sentences[1], 12, 7, seed: 2)];
        manual_seed(7);   // the initial weights (the collection runs alone, so nothing else draws in between)
        Model = new SignTranslationModel(ModelTestData.TinySlt(labelSmoothing: 0.0));
        Train(Model, Tokenizer, Clips);
        var recipe = new TrainingRecipe { Phase = "slt", MaxFrames = MaxFrames, MaxNewTokens = MaxNewTokens, NumBeams = 1 };
        var content = new CheckpointContent(CheckpointMetadata.Create(CheckpointPhase.Slt, Model.Config), ModelWeights.ForSaving(Model))
        {
            Tokenizer = Tokenizer,
            WriteExtraFiles = recipe.Save,
        };
        Folder = new CheckpointStore(_dir.Path).Save("best", content);
    }

    public static ISltTokenizer Tokenizer => ModelTestData.Tokenizer;

    /// The training clips; their translations are what the model learnt.
    public IReadOnlyList<FeatureSample> Clips { get; }

    /// The trained model as it is in memory (eval mode).
    public SignTranslationModel Model { get; }

    /// The saved checkpoint folder.
    public string Folder { get; }

    /// A folder of the test's own (deleted with the fixture).
    public string NewFolder(string name)
    {
        string path = _dir.File(name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// A clip of random features ((frames, 225) keypoints, (siglipFrames, 768) SigLIP) drawn from <paramref name="seed"/>.
    public static FeatureSample Clip(string name, string translation, int frames, int siglipFrames, int seed)
    {
        var random = new Random(seed);
        float[] Draw(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        return new FeatureSample(name, translation,
            new NpyArray(Draw(frames * FeatureSpec.KeypointDim), [frames, FeatureSpec.KeypointDim]),
            new NpyArray(Draw(siglipFrames * FeatureSpec.SiglipDim), [siglipFrames, FeatureSpec.SiglipDim]));
    }

    private static void Train(SignTranslationModel model, ISltTokenizer tokenizer, IReadOnlyList<FeatureSample> clips)
    {
        using var batch = new Collator(new CollatorOptions(MaxFrames)).Collate(clips);
        using var optimizer = optim.Adam(model.parameters(), lr: 3e-3);
        model.train();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.call(SltInputs.From(batch, tokenizer, model.MaxDecoderPositions)).Loss!.backward();
            optimizer.step();
        }
        model.eval();
    }

    public void Dispose()
    {
        Model.Dispose();
        _dir.Dispose();
    }
}
