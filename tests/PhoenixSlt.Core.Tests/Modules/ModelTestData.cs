using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Modules.Squeezeformer;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

/// Tiny configs, the fixture tokenizer and random visual batches (explicit generators; padding filled with large
/// garbage so that any leak of padded frames shows).
internal static class ModelTestData
{
    private static readonly Lazy<MBartTokenizer> FixtureTokenizer =
        new(() => MBartTokenizer.Load(TestPaths.Fixture("mbart-tiny", MBartTokenizer.ModelFileName)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// The SentencePiece tokenizer of tests/fixtures/mbart-tiny (1027 ids, like <see cref="MBartConfig.Tiny"/>).
    public static MBartTokenizer Tokenizer => FixtureTokenizer.Value;

    public static readonly string[] Sentences =
    [
        "am montag regnet es im norden",
        "morgen scheint im süden die sonne bei temperaturen um zwölf grad",
    ];

    public static SqueezeformerConfig TinyFusion(double dropout = 0.0)
        => SqueezeformerConfig.Tiny with { Dropout = dropout, AttentionDropout = dropout };

    public static SltModelConfig TinySlt(double labelSmoothing = 0.1, double dropout = 0.0)
        => SltModelConfig.Tiny with { FusionEncoder = TinyFusion(dropout), AdapterDropout = dropout, LabelSmoothing = labelSmoothing };

    public static VlpConfig TinyVlp(double dropout = 0.0)
        => VlpConfig.Tiny with { FusionEncoder = TinyFusion(dropout), ProjectionDropout = dropout };

    /// Clips of the given lengths (keypoint frames, SigLIP frames), clip b drawn from generator seed + b (so its real
    /// frames do not depend on the padding), padded with garbage to the longest plus <paramref name="extraFrames"/>.
    public static VisualInputs Visual(IReadOnlyList<(int Frames, int SiglipFrames)> lengths, ulong seed = 11, int extraFrames = 0)
    {
        var config = SqueezeformerConfig.Tiny;
        long frames = lengths.Max(l => l.Frames) + extraFrames;
        long siglipFrames = lengths.Max(l => l.SiglipFrames) + extraFrames;
        Tensor keypoints = full([lengths.Count, frames, config.KeypointDim], 1e3f);
        Tensor siglip = full([lengths.Count, siglipFrames, config.SiglipDim], -1e3f);
        using (no_grad())
        {
            for (int b = 0; b < lengths.Count; b++)
            {
                var generator = new Generator(seed + (ulong)b);
                keypoints[b].narrow(0, 0, lengths[b].Frames).copy_(randn([lengths[b].Frames, config.KeypointDim], generator: generator));
                siglip[b].narrow(0, 0, lengths[b].SiglipFrames).copy_(randn([lengths[b].SiglipFrames, config.SiglipDim], generator: generator));
            }
        }
        return new VisualInputs(keypoints, Mask(lengths.Select(l => (long)l.Frames), frames), siglip, Mask(lengths.Select(l => (long)l.SiglipFrames), siglipFrames));
    }

    /// Two clips: 9 keypoint / 5 SigLIP frames and 12 / 7.
    public static VisualInputs TwoClips(ulong seed = 11, int extraFrames = 0) => Visual([(9, 5), (12, 7)], seed, extraFrames);

    /// Row b of a visual batch alone, cut to its own lengths (no padding).
    public static VisualInputs Row(VisualInputs visual, int b)
    {
        long frames = visual.KeypointMask[b].sum().item<long>();
        long siglipFrames = visual.SiglipMask[b].sum().item<long>();
        return new VisualInputs(
            visual.Keypoints[b].narrow(0, 0, frames).unsqueeze(0),
            visual.KeypointMask[b].narrow(0, 0, frames).unsqueeze(0),
            visual.Siglip[b].narrow(0, 0, siglipFrames).unsqueeze(0),
            visual.SiglipMask[b].narrow(0, 0, siglipFrames).unsqueeze(0));
    }

    /// (B, T) bool, true on the first length_b frames of row b.
    public static Tensor Mask(IEnumerable<long> lengths, long frames)
        => arange(frames).unsqueeze(0).lt(tensor(lengths.ToArray()).unsqueeze(1));

    /// Tokenized sentences "text &lt;/s&gt; de_DE", right-padded: ids (B, S) int64, mask (B, S) int64, lengths.
    public static (Tensor Ids, Tensor Mask, int[] Lengths) Tokens(IReadOnlyList<string> texts)
    {
        var batch = Tokenizer.EncodeBatch(texts);
        var (ids, mask) = TokenTensors.From(batch);
        return (ids, mask, batch.Lengths);
    }

    /// Gradient magnitude of a parameter; null when it has no gradient.
    public static double? GradNorm(Tensor parameter)
        => parameter.grad is null ? null : parameter.grad.abs().sum().item<float>();
}
