using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Data;

/// Frame caps applied by the <see cref="Collator"/>; null means no cap.
/// <param name="MaxFrames">MAX_FRAMES for the keypoint stream (and the SigLIP stream unless MaxSiglipFrames is set)</param>
public sealed record CollatorOptions(int? MaxFrames = null, int? MaxSiglipFrames = null)
{
    public int? KeypointCap => MaxFrames;
    public int? SiglipCap => MaxSiglipFrames ?? MaxFrames;
}

/// A padded batch. Dispose it (or let an enclosing dispose scope do so) to free the tensors.
public sealed class PhoenixBatch : IDisposable
{
    internal PhoenixBatch(Tensor keypoints, Tensor keypointMask, Tensor siglip, Tensor siglipMask,
        int[] keypointLengths, int[] siglipLengths, IReadOnlyList<string> names, IReadOnlyList<string> translations,
        IReadOnlyList<string>? glosses = null)
    {
        Keypoints = keypoints;
        KeypointMask = keypointMask;
        Siglip = siglip;
        SiglipMask = siglipMask;
        KeypointLengths = keypointLengths;
        SiglipLengths = siglipLengths;
        Names = names;
        Translations = translations;
        Glosses = glosses ?? [.. names.Select(_ => "")];
    }

    /// (B, T, 225) float32, zero-padded after each sample's length.
    public Tensor Keypoints { get; }

    /// (B, T) bool, true on real frames.
    public Tensor KeypointMask { get; }

    /// (B, T', 768) float32, zero-padded.
    public Tensor Siglip { get; }

    /// (B, T') bool, true on real frames.
    public Tensor SiglipMask { get; }

    /// Frames per sample after the cap (B).
    public int[] KeypointLengths { get; }
    public int[] SiglipLengths { get; }

    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<string> Translations { get; }

    /// The clips' glosses (space-separated; "" when the corpus has none).
    public IReadOnlyList<string> Glosses { get; }

    public int Size => Names.Count;

    /// A copy of the batch on another device (this batch stays valid and must still be disposed).
    public PhoenixBatch To(Device device)
        => new(Keypoints.to(device), KeypointMask.to(device), Siglip.to(device), SiglipMask.to(device),
            KeypointLengths, SiglipLengths, Names, Translations, Glosses);

    public void Dispose()
    {
        Keypoints.Dispose();
        KeypointMask.Dispose();
        Siglip.Dispose();
        SiglipMask.Dispose();
    }
}

/// Pads a list of samples into a <see cref="PhoenixBatch"/>.
/// A stream longer than its cap Max is subsampled uniformly in time: frame indices round(linspace(0, T−1, Max)),
/// rounding half to even as numpy does — first and last frames are always kept, order is preserved, no frame
/// repeats (the step exceeds 1). Shorter streams are left as they are.
public sealed class Collator(CollatorOptions? options = null)
{
    public CollatorOptions Options { get; } = Validate(options ?? new CollatorOptions());

    public PhoenixBatch Collate(IReadOnlyList<FeatureSample> samples, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
            throw new ArgumentException("cannot collate an empty batch", nameof(samples));

        var (keypoints, keypointMask, keypointLengths) = Pad(samples.Select(s => s.Keypoints).ToList(), FeatureSpec.KeypointDim, Options.KeypointCap, "keypoints");
        var (siglip, siglipMask, siglipLengths) = Pad(samples.Select(s => s.Siglip).ToList(), FeatureSpec.SiglipDim, Options.SiglipCap, "SigLIP");
        var batch = new PhoenixBatch(keypoints, keypointMask, siglip, siglipMask, keypointLengths, siglipLengths,
            samples.Select(s => s.Name).ToArray(), samples.Select(s => s.Translation).ToArray(), samples.Select(s => s.Orth).ToArray());
        if (device is null || device.type == DeviceType.CPU)
            return batch;
        using (batch)
            return batch.To(device);
    }

    /// The frames kept from a stream of <paramref name="length"/> frames under a cap: all of them when
    /// length ≤ max, otherwise round(linspace(0, length − 1, max)).
    public static int[] SubsampleIndices(int length, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        if (length <= max)
            return Enumerable.Range(0, length).ToArray();
        int[] indices = new int[max];
        if (max == 1)
            return indices; // linspace(0, T-1, 1) == [0]
        double step = (length - 1) / (double)(max - 1);
        for (int i = 0; i < max - 1; i++)
            indices[i] = (int)Math.Round(i * step, MidpointRounding.ToEven);
        indices[max - 1] = length - 1;
        return indices;
    }

    // features: B arrays of (T_b, dim) -> (B, T, dim) float32, mask (B, T) bool, lengths (B)
    private static (Tensor Values, Tensor Mask, int[] Lengths) Pad(List<NpyArray> features, int dim, int? cap, string stream)
    {
        int batch = features.Count;
        var kept = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            NpyArray f = features[b];
            if (f.Rank != 2 || f.Shape[1] != dim)
                throw new ArgumentException($"{stream} of sample {b} must have shape (T, {dim}); got {f.ShapeText}", nameof(features));
            kept[b] = cap is int max ? SubsampleIndices(f.Shape[0], max) : Enumerable.Range(0, f.Shape[0]).ToArray();
        }
        int[] lengths = kept.Select(k => k.Length).ToArray();
        int time = lengths.Max();

        float[] values = new float[(long)batch * time * dim];
        bool[] mask = new bool[batch * time];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < kept[b].Length; t++)
            {
                features[b].Row(kept[b][t]).CopyTo(values.AsSpan((b * time + t) * dim, dim));
                mask[b * time + t] = true;
            }
        }
        return (torch.tensor(values, [batch, time, dim], ScalarType.Float32), torch.tensor(mask, [batch, time]), lengths);
    }

    private static CollatorOptions Validate(CollatorOptions options)
    {
        if (options.MaxFrames is int m)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m, nameof(options.MaxFrames));
        if (options.MaxSiglipFrames is int s)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(options.MaxSiglipFrames));
        return options;
    }
}
