using PhoenixSlt.Core.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

/// CTC against values computed by hand: the probability of a gloss sequence is the sum over the frame paths that
/// collapse to it (repeats merged, blanks removed).
public sealed class GlossCtcHeadTests
{
    private static Tensor LogProbs(float[][][] probabilities)            // (B, T, C) from probabilities
    {
        int b = probabilities.Length, t = probabilities[0].Length, c = probabilities[0][0].Length;
        return tensor(probabilities.SelectMany(x => x.SelectMany(y => y)).ToArray(), [b, t, c]).log();
    }

    [Fact]
    public void Loss_TwoClips_EqualsTheHandComputedMeanOverTargetLengths()
    {
        // clip A, frames 2 (third frame padding), target [1]: paths 1 1, 0 1, 1 0 → 0.5·0.3 + 0.4·0.3 + 0.5·0.6 = 0.57
        // clip B, frames 3, target [1 2]: paths 1 2 2, 1 1 2, 0 1 2, 1 2 0, 1 0 2 → 0.421
        // mean reduction: each clip's −log p over its target length, then the batch mean
        using var logProbs = LogProbs([
            [[0.4f, 0.5f, 0.1f], [0.6f, 0.3f, 0.1f], [0.2f, 0.2f, 0.6f]],
            [[0.2f, 0.5f, 0.3f], [0.3f, 0.4f, 0.3f], [0.1f, 0.2f, 0.7f]],
        ]);
        using var frames = tensor(new long[] { 2, 3 });
        using var targets = tensor(new long[] { 1, 0, 1, 2 }, [2, 2]);
        using var lengths = tensor(new long[] { 1, 2 });

        using var loss = GlossCtcHead.Loss(logProbs, frames, targets, lengths);

        double expected = (-Math.Log(0.57) + -Math.Log(0.421) / 2) / 2;
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void Loss_MoreGlossesThanFrames_CountsZeroInsteadOfInfinity()
    {
        using var logProbs = LogProbs([[[0.5f, 0.5f]]]);
        using var loss = GlossCtcHead.Loss(logProbs, tensor(new long[] { 1 }), tensor(new long[] { 1, 1 }, [1, 2]), tensor(new long[] { 2 }));

        Assert.Equal(0f, loss.item<float>());
    }

    [Fact]
    public void GreedyDecode_MergesRepeatsDropsBlanksAndStopsAtTheClipsLength()
    {
        // best classes per frame: 1 1 0 1 2 2 | padding 1
        float[] Row(int best) => [.. Enumerable.Range(0, 3).Select(c => c == best ? 0.8f : 0.1f)];
        using var logProbs = LogProbs([[Row(1), Row(1), Row(0), Row(1), Row(2), Row(2), Row(1)]]);

        var decoded = GlossCtcHead.GreedyDecode(logProbs, tensor(new long[] { 6 }));

        Assert.Equal([1, 1, 2], Assert.Single(decoded));
    }

    [Fact]
    public void Forward_GivesLogProbabilitiesOverTheClasses()
    {
        using var head = new GlossCtcHead(width: 4, classes: 5);
        using var hidden = randn(2, 3, 4);

        using var logProbs = head.forward(hidden);

        Assert.Equal([2L, 3L, 5L], logProbs.shape);
        Assert.True(logProbs.exp().sum(-1).allclose(ones(2, 3), rtol: 1e-5, atol: 1e-5));
    }
}
