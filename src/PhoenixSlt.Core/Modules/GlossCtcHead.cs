using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules;

/// Gloss supervision on the fusion encoder: a linear classifier over the gloss vocabulary (class 0 = CTC blank)
/// at every frame, trained with CTC against the clip's gloss sequence, decoded greedily (best class per frame,
/// repeats merged, blanks removed).
public sealed class GlossCtcHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear classifier;

    /// <paramref name="width"/> = the fusion encoder's d_model; <paramref name="classes"/> = the vocabulary size.
    public GlossCtcHead(int width, int classes) : base(nameof(GlossCtcHead))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
        classifier = nn.Linear(width, classes);
        RegisterComponents();
    }

    /// Classes of the classifier (the gloss vocabulary's size, blank included).
    public int Classes { get; }

    /// Frame log-probabilities (B, T, C) in float32 from fusion encoder states (B, T, D).
    public override Tensor forward(Tensor hidden)
        => nn.functional.log_softmax(classifier.forward(hidden).to(ScalarType.Float32), dim: -1);

    /// The head on a fusion encoder output: frame log-probabilities (B, T, C) and the real frames per clip (B) int64
    /// — the inputs of <see cref="Loss"/> and <see cref="GreedyDecode"/>.
    public (Tensor LogProbs, Tensor Frames) Predict(FusionEncoderOutput fused)
    {
        ArgumentNullException.ThrowIfNull(fused);
        return (forward(fused.Hidden), fused.Mask.to(ScalarType.Int64).sum(1));
    }

    /// CTC targets of clips' glosses (space-separated) in <paramref name="vocabulary"/>: ids (B, S) int64 padded with the
    /// blank and lengths (B) int64, on <paramref name="device"/>.
    public static (Tensor Targets, Tensor Lengths) Targets(IReadOnlyList<string> glosses, Text.GlossVocabulary vocabulary, Device device)
    {
        ArgumentNullException.ThrowIfNull(glosses);
        ArgumentNullException.ThrowIfNull(vocabulary);
        int[][] ids = [.. glosses.Select(vocabulary.Encode)];
        int width = Math.Max(1, ids.Select(g => g.Length).DefaultIfEmpty(0).Max());
        long[] padded = new long[ids.Length * width];                                                 // blank-padded (B, S)
        for (int b = 0; b < ids.Length; b++)
            for (int s = 0; s < ids[b].Length; s++)
                padded[b * width + s] = ids[b][s];
        return (tensor(padded, [ids.Length, width], ScalarType.Int64, device),
                tensor(ids.Select(g => (long)g.Length).ToArray(), ScalarType.Int64, device));
    }

    /// Mean CTC loss of the batch (PyTorch's reduction "mean": each clip's loss over its target length, then the
    /// batch mean); impossible alignments (more glosses than frames) count 0, as zero_infinity does.
    /// <param name="logProbs">(B, T, C) from <see cref="forward"/>.</param>
    /// <param name="frames">(B) int64 real frames per clip.</param>
    /// <param name="targets">(B, S) int64 gloss ids, padded with anything after each clip's length.</param>
    /// <param name="targetLengths">(B) int64 glosses per clip.</param>
    public static Tensor Loss(Tensor logProbs, Tensor frames, Tensor targets, Tensor targetLengths)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        using var ctc = nn.CTCLoss(blank: 0, reduction: nn.Reduction.Mean, zero_infinity: true);
        using var timeMajor = logProbs.transpose(0, 1);                                             // (T, B, C)
        return ctc.call(timeMajor, targets, frames, targetLengths);
    }

    /// Greedy CTC decoding: per clip, the best class of each real frame with repeats merged and blanks removed.
    public static int[][] GreedyDecode(Tensor logProbs, Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(frames);
        using var best = logProbs.argmax(-1).cpu();                                                  // (B, T)
        long[] classes = best.data<long>().ToArray();
        long[] lengths = frames.cpu().data<long>().ToArray();
        int time = (int)best.shape[1];
        var decoded = new int[lengths.Length][];
        for (int b = 0; b < lengths.Length; b++)
        {
            var ids = new List<int>();
            long previous = -1;
            for (int t = 0; t < lengths[b]; t++)
            {
                long c = classes[b * time + t];
                if (c != previous && c != 0)
                    ids.Add((int)c);
                previous = c;
            }
            decoded[b] = [.. ids];
        }
        return decoded;
    }
}
