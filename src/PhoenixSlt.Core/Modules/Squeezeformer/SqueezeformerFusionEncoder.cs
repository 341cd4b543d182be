using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Fuses the keypoint and SigLIP streams of a sign-language clip and encodes them with Squeezeformer blocks:
/// <list type="number">
/// <item>keypoints (B, T, 225) → Linear → LayerNorm → D; SigLIP (B, T', 768) → Linear → LayerNorm → D;</item>
/// <item>a temporal pre-LN Transformer over the SigLIP stream (sinusoidal positions, key padding mask);</item>
/// <item>per-sample linear interpolation (align_corners) of the SigLIP stream from its T'_b real frames to the
/// sample's T_b real keypoint frames, so padding of either stream never reaches real frames;</item>
/// <item>gated fusion g ⊙ k + (1 − g) ⊙ s, sinusoidal positions, LayerNorm, dropout;</item>
/// <item>N Squeezeformer blocks (MHSA → FFN → Conv → FFN, post-LN, scaled inputs, masked batch norm).</item>
/// </list>
/// Masks are (B, T) with true on real frames and padding at the end of each row (as the Collator builds them);
/// any non-bool mask is read as "non-zero = real". Non-finite keypoint values (missing joints) are read as 0.
/// Real frames' outputs do not depend on how far a batch is padded; in eval mode they do not depend on the other
/// samples either (in training mode the batch norm's statistics are those of the batch's real frames).
/// Squeezeformer (Kim et al., NeurIPS 2022), §3, for the blocks; the two-stream front end and gated fusion are this
/// project's design.
public sealed class SqueezeformerFusionEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor, FusionEncoderOutput>
{
    private readonly FeatureProjection keypoint_proj;
    private readonly FeatureProjection siglip_proj;
    private readonly TemporalTransformerEncoder siglip_encoder;
    private readonly GatedFusion fusion;
    private readonly SinusoidalPositionalEncoding embed_positions;
    private readonly AmpLayerNorm layer_norm;
    private readonly Dropout dropout;
    private readonly ModuleList<SqueezeformerBlock> blocks;

    public SqueezeformerFusionEncoder(SqueezeformerConfig config) : base(nameof(SqueezeformerFusionEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int d = config.DModel;
        keypoint_proj = new FeatureProjection(config.KeypointDim, d, config.Dropout, config.LayerNormEps);
        siglip_proj = new FeatureProjection(config.SiglipDim, d, config.Dropout, config.LayerNormEps);
        siglip_encoder = new TemporalTransformerEncoder(config);
        fusion = new GatedFusion(d);
        embed_positions = new SinusoidalPositionalEncoding(d, config.PositionEncodingBase);
        layer_norm = new AmpLayerNorm(d, config.LayerNormEps);
        dropout = nn.Dropout(config.Dropout);
        blocks = nn.ModuleList(Enumerable.Range(0, config.NumBlocks).Select(_ => new SqueezeformerBlock(config)).ToArray());
        RegisterComponents();
    }

    public SqueezeformerConfig Config { get; }

    public IReadOnlyList<SqueezeformerBlock> Blocks => [.. blocks];

    /// Number of trainable scalars.
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// Encodes a collated batch (see <see cref="Collator"/>).
    public FusionEncoderOutput Encode(PhoenixBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return forward(batch.Keypoints, batch.KeypointMask, batch.Siglip, batch.SiglipMask);
    }

    // keypoints: (B, T, K), keypointMask: (B, T), siglip: (B, T', S), siglipMask: (B, T') -> hidden (B, T, D), mask (B, T)
    public override FusionEncoderOutput forward(Tensor keypoints, Tensor keypointMask, Tensor siglip, Tensor siglipMask)
    {
        ValidateShapes(keypoints, keypointMask, siglip, siglipMask);
        using var scope = torch.NewDisposeScope();
        Tensor kMask = AsBoolMask(keypointMask).to(keypoints.device);                         // (B, T)
        Tensor sMask = AsBoolMask(siglipMask).to(siglip.device);                              // (B, T')

        Tensor kIn = torch.nan_to_num(keypoints, 0.0, 0.0, 0.0)
            .masked_fill(kMask.logical_not().unsqueeze(-1), 0.0);                              // (B, T, K)
        Tensor sIn = siglip.masked_fill(sMask.logical_not().unsqueeze(-1), 0.0);               // (B, T', S)
        Tensor k = keypoint_proj.forward(kIn);                                                 // (B, T, D)
        Tensor s = siglip_encoder.forward(siglip_proj.forward(sIn), sMask);                    // (B, T', D)

        Tensor keypointLengths = TemporalInterpolation.LengthsFromMask(kMask);                 // (B)
        Tensor siglipLengths = TemporalInterpolation.LengthsFromMask(sMask);                   // (B)
        Tensor aligned = TemporalInterpolation.AlignCorners(
            s, siglipLengths, keypointLengths, keypoints.shape[1]);                            // (B, T', D) -> (B, T, D)

        Tensor h = fusion.forward(k, aligned);                                                 // (B, T, D)
        h = dropout.forward(layer_norm.forward(embed_positions.forward(h)));                   // (B, T, D)
        Tensor padded = kMask.logical_not().unsqueeze(-1);                                     // (B, T) -> (B, T, 1)
        h = h.masked_fill(padded, 0.0);
        foreach (SqueezeformerBlock block in blocks)
            h = block.forward(h, kMask);                                                       // (B, T, D)

        return new FusionEncoderOutput(h.MoveToOuterDisposeScope(), kMask.MoveToOuterDisposeScope());
    }

    // A bool copy of the mask (a new tensor even when the input is already bool, so the output owns it).
    private static Tensor AsBoolMask(Tensor mask)
        => mask.dtype == ScalarType.Bool ? mask.clone() : mask.ne(0);

    private void ValidateShapes(Tensor keypoints, Tensor keypointMask, Tensor siglip, Tensor siglipMask)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        ArgumentNullException.ThrowIfNull(keypointMask);
        ArgumentNullException.ThrowIfNull(siglip);
        ArgumentNullException.ThrowIfNull(siglipMask);
        if (keypoints.dim() != 3 || keypoints.shape[2] != Config.KeypointDim)
            throw new ArgumentException($"keypoints must be (B, T, {Config.KeypointDim}); got ({Shape(keypoints)})", nameof(keypoints));
        if (siglip.dim() != 3 || siglip.shape[2] != Config.SiglipDim)
            throw new ArgumentException($"SigLIP features must be (B, T', {Config.SiglipDim}); got ({Shape(siglip)})", nameof(siglip));
        if (siglip.shape[0] != keypoints.shape[0])
            throw new ArgumentException($"batch sizes differ: keypoints ({Shape(keypoints)}) vs SigLIP ({Shape(siglip)})", nameof(siglip));
        if (keypointMask.dim() != 2 || keypointMask.shape[0] != keypoints.shape[0] || keypointMask.shape[1] != keypoints.shape[1])
            throw new ArgumentException($"keypoint mask ({Shape(keypointMask)}) does not match keypoints ({Shape(keypoints)}); expected (B, T)", nameof(keypointMask));
        if (siglipMask.dim() != 2 || siglipMask.shape[0] != siglip.shape[0] || siglipMask.shape[1] != siglip.shape[1])
            throw new ArgumentException($"SigLIP mask ({Shape(siglipMask)}) does not match SigLIP features ({Shape(siglip)}); expected (B, T')", nameof(siglipMask));
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
