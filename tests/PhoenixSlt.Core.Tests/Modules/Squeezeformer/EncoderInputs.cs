using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

/// One clip: keypoints (T, K) and SigLIP features (T', S).
internal sealed record ClipFeatures(Tensor Keypoints, Tensor Siglip)
{
    public long Frames => Keypoints.shape[0];
    public long SiglipFrames => Siglip.shape[0];
}

/// A padded batch in the encoder's input layout.
internal sealed record PaddedBatch(Tensor Keypoints, Tensor KeypointMask, Tensor Siglip, Tensor SiglipMask);

/// Random clips from explicit generators (never the global RNG) and padding with garbage, so that any leak of
/// padded frames into real ones shows up as a large difference.
internal static class EncoderInputs
{
    public static SqueezeformerConfig Tiny(double dropout = 0.0)
        => SqueezeformerConfig.Tiny with { Dropout = dropout, AttentionDropout = dropout };

    public static ClipFeatures Clip(ulong seed, int frames, int siglipFrames, SqueezeformerConfig config)
    {
        var generator = new Generator(seed);
        return new ClipFeatures(
            torch.randn([frames, config.KeypointDim], generator: generator),
            torch.randn([siglipFrames, config.SiglipDim], generator: generator));
    }

    /// Pads clips to the longest one plus extra frames; padded values are large random numbers.
    public static PaddedBatch Pad(IReadOnlyList<ClipFeatures> clips, int extraFrames = 0, int extraSiglipFrames = 0, ulong garbageSeed = 7)
    {
        var generator = new Generator(garbageSeed);
        long frames = clips.Max(c => c.Frames) + extraFrames;
        long siglipFrames = clips.Max(c => c.SiglipFrames) + extraSiglipFrames;
        long keypointDim = clips[0].Keypoints.shape[1], siglipDim = clips[0].Siglip.shape[1];
        Tensor keypoints = torch.randn([clips.Count, frames, keypointDim], generator: generator) * 100 + 50;
        Tensor siglip = torch.randn([clips.Count, siglipFrames, siglipDim], generator: generator) * 100 - 50;
        using (torch.no_grad())
        {
            for (int b = 0; b < clips.Count; b++)
            {
                keypoints[b].narrow(0, 0, clips[b].Frames).copy_(clips[b].Keypoints);
                siglip[b].narrow(0, 0, clips[b].SiglipFrames).copy_(clips[b].Siglip);
            }
        }
        return new PaddedBatch(keypoints, Mask(clips.Select(c => c.Frames), frames), siglip, Mask(clips.Select(c => c.SiglipFrames), siglipFrames));
    }

    /// (B, T) bool: true on the first length_b frames of row b.
    public static Tensor Mask(IEnumerable<long> lengths, long frames)
    {
        long[] values = lengths.ToArray();
        Tensor positions = torch.arange(frames).unsqueeze(0);              // (1, T)
        Tensor limits = torch.tensor(values).unsqueeze(1);                  // (B, 1)
        return positions.lt(limits);
    }

    public static FusionEncoderOutput Run(SqueezeformerFusionEncoder encoder, PaddedBatch batch)
        => encoder.forward(batch.Keypoints, batch.KeypointMask, batch.Siglip, batch.SiglipMask);

    /// Row b's first `frames` output frames: (frames, D).
    public static Tensor RealFrames(FusionEncoderOutput output, int b, long frames) => output.Hidden[b].narrow(0, 0, frames);
}
