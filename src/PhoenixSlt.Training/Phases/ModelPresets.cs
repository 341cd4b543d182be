using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;

namespace PhoenixSlt.Training.Phases;

/// Model sizes of the tiny and base presets when no pretrained mBART is given: the mBART is then trained from
/// scratch with the vocabulary of the corpus tokenizer.
public static class ModelPresets
{
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "base"];

    /// The peak learning rate of the visual encoder (and a scratch mBART) when none is given, in every phase: the
    /// recipe's 1e-4 for base; for the models trained from scratch on a CPU 2e-3 for tiny and 1e-3 for small (the
    /// sweeps in docs/RESULTS.md: tiny's pipeline reaches 11.1 dev BLEU-4 at 2e-3 against 9.6 at 1e-3, its text
    /// phase 13.8 against 11.0; small's text phase halves at 2e-3, 4.4 against 9.2).
    public static double EncoderLearningRate(string preset) => Normalize(preset) switch
    {
        "base" => 1e-4,
        "tiny" => 2e-3,
        _ => 1e-3,
    };

    /// A from-scratch mBART: tiny = the fixture architecture (d 64, 2+2 layers); base = d 512, 6+6 layers,
    /// 8 heads, FFN 2048, 1024 positions, dropout 0.1 (mbart-large-cc25 is far too large to train from scratch on
    /// PHOENIX-2014-T's 7k sentences). The vocabulary is <paramref name="vocabSize"/> (the tokenizer's).
    public static MBartConfig ScratchMBart(string preset, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 5);
        return Normalize(preset) switch
        {
            "tiny" => MBartConfig.Tiny with { VocabSize = vocabSize },
            // Designed for training from scratch: d 128, 2+2 layers, dropout 0.1 against the overfitting of the
            // dropout-free tiny model, 256 positions (the corpus' clips after MAX_FRAMES), the usual 0.02 init.
            "small" => new MBartConfig
            {
                VocabSize = vocabSize,
                DModel = 128,
                EncoderLayers = 2,
                DecoderLayers = 2,
                EncoderAttentionHeads = 4,
                DecoderAttentionHeads = 4,
                EncoderFfnDim = 512,
                DecoderFfnDim = 512,
                MaxPositionEmbeddings = 256,
                ScaleEmbedding = true,
                Dropout = 0.1,
                AttentionDropout = 0.1,
                ActivationDropout = 0,
                InitStd = 0.02,
            },
            _ => new MBartConfig
            {
                VocabSize = vocabSize,
                DModel = 512,
                EncoderLayers = 6,
                DecoderLayers = 6,
                EncoderAttentionHeads = 8,
                DecoderAttentionHeads = 8,
                EncoderFfnDim = 2048,
                DecoderFfnDim = 2048,
                MaxPositionEmbeddings = 1024,
                ScaleEmbedding = true,
                Dropout = 0.1,
                AttentionDropout = 0.1,
                InitStd = 0.02,
            },
        };
    }

    /// The Squeezeformer fusion encoder of a preset.
    public static SqueezeformerConfig FusionEncoder(string preset) => SqueezeformerConfig.Preset(Normalize(preset));

    /// The SLT config of a preset around <paramref name="mbart"/>.
    public static SltModelConfig Slt(string preset, MBartConfig mbart, bool freezeTextEncoder)
        => SltModelConfig.Preset(Normalize(preset)) with { MBart = mbart, FreezeTextEncoder = freezeTextEncoder };

    /// The VLP config of a preset around the text encoder <paramref name="mbart"/>.
    public static VlpConfig Vlp(string preset, MBartConfig mbart) => VlpConfig.Preset(Normalize(preset)) with { TextEncoder = mbart };

    public static string Normalize(string preset)
    {
        string name = preset?.Trim().ToLowerInvariant() ?? "";
        return Names.Contains(name) ? name : throw new TrainingConfigurationException($"--preset '{preset}' is not known; use {string.Join(", ", Names)}");
    }
}
