using PhoenixSlt.Core.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class ContrastiveLossTests
{
    // softplus(x) = log(1 + e^x): cross-entropy of a 2-way softmax = log(1 + e^(other − target)).
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    [Fact]
    public void SymmetricInfoNce_TwoByTwo_MatchesHandComputedValue()
    {
        using var scope = NewDisposeScope();
        // unit vectors: v0 = (1,0), v1 = (0,1); t0 = (1,0), t1 = (0.6,0.8); scale 10
        Tensor visual = tensor(new float[] { 1, 0, 0, 1 }, [2, 2]);
        Tensor text = tensor(new float[] { 1, 0, 0.6f, 0.8f }, [2, 2]);

        var (loss, logits) = ContrastiveLoss.SymmetricInfoNce(visual, text, tensor(10f));

        // logits = 10 · v tᵀ = [[10, 6], [0, 8]]
        Assert.Equal(new float[] { 10, 6, 0, 8 }, logits.data<float>().ToArray());
        // rows (visual → text): row 0 target 10 vs 6, row 1 target 8 vs 0
        double visualToText = (Softplus(6 - 10) + Softplus(0 - 8)) / 2;
        // columns (text → visual): column 0 target 10 vs 0, column 1 target 8 vs 6
        double textToVisual = (Softplus(0 - 10) + Softplus(6 - 8)) / 2;
        double expected = (visualToText + textToVisual) / 2; // ≈ 0.0363
        Assert.Equal(expected, loss.item<float>(), 1e-6);
    }

    [Fact]
    public void SymmetricInfoNce_IdenticalEmbeddings_IsLogBatchSize()
    {
        using var scope = NewDisposeScope();
        // every logit is equal, so both directions are uniform softmaxes over 3 candidates: loss = log 3
        Tensor same = tensor(new float[] { 0.6f, 0.8f }).expand(3, 2);

        var (loss, _) = ContrastiveLoss.SymmetricInfoNce(same, same, tensor(14.3f));

        Assert.Equal(Math.Log(3), loss.item<float>(), 1e-6);
    }

    [Fact]
    public void SymmetricInfoNce_SwappedModalities_SameLossAndTransposedLogits()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        Tensor visual = nn.functional.normalize(randn([4, 8], generator: generator), dim: -1);
        Tensor text = nn.functional.normalize(randn([4, 8], generator: generator), dim: -1);
        Tensor scale = tensor(7.5f);

        var (loss, logits) = ContrastiveLoss.SymmetricInfoNce(visual, text, scale);
        var (swappedLoss, swappedLogits) = ContrastiveLoss.SymmetricInfoNce(text, visual, scale);

        Assert.Equal(loss.item<float>(), swappedLoss.item<float>(), 1e-6);
        Assert.True(logits.t().allclose(swappedLogits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void SymmetricInfoNce_ShapeMismatch_NamesBothShapes()
    {
        using var scope = NewDisposeScope();

        var e = Assert.Throws<ArgumentException>(() => ContrastiveLoss.SymmetricInfoNce(zeros(2, 4), zeros(3, 4), tensor(1f)));

        Assert.Contains("(2, 4)", e.Message);
        Assert.Contains("(3, 4)", e.Message);
    }
}
