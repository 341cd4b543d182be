using PhoenixSlt.Core.Modules.MBart;
using TorchSharp;

namespace PhoenixSlt.Benchmarks;

/// A model under test: name, the model, and the decoder start token its generations use.
public sealed record BenchmarkModel(string Name, string Description, MBartForConditionalGeneration Model, int DecoderStartTokenId);

/// The models the decoding benchmark runs on.
public static class BenchmarkModels
{
    public const string Tiny = "tiny";
    public const string D384 = "d384";

    public static IReadOnlyList<string> Names { get; } = [Tiny, D384];

    /// A d_model 384 mBART (3+3 layers, 6 heads, ffn 1536, 3,000 tokens) with transformers' random initialisation:
    /// the size of a trimmed-vocabulary SLT decoder.
    public static MBartConfig D384Config { get; } = new()
    {
        VocabSize = 3000,
        DModel = 384,
        EncoderLayers = 3,
        DecoderLayers = 3,
        EncoderAttentionHeads = 6,
        DecoderAttentionHeads = 6,
        EncoderFfnDim = 1536,
        DecoderFfnDim = 1536,
        MaxPositionEmbeddings = 256,
        ScaleEmbedding = true,
        Dropout = 0,
    };

    public static BenchmarkModel Create(string name, string repoRoot) => name switch
    {
        Tiny => new BenchmarkModel(Tiny, "fixture mBART (d 64, 2+2 layers, 4 heads, vocab 1027), trained weights",
            MBartPretrained.Load(Path.Combine(repoRoot, "tests", "fixtures", "mbart-tiny")).Model, DecoderStartTokenId: 1003),
        D384 => new BenchmarkModel(D384, "d 384, 3+3 layers, 6 heads, ffn 1536, vocab 3000, random init (seed 0)",
            RandomModel(D384Config, seed: 0), DecoderStartTokenId: 2),
        _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    private static MBartForConditionalGeneration RandomModel(MBartConfig config, int seed)
    {
        torch.manual_seed(seed);
        var model = new MBartForConditionalGeneration(config);
        model.eval();
        return model;
    }
}
