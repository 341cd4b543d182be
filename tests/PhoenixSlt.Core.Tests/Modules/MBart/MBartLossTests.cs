using PhoenixSlt.Core.Modules.MBart;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

public class MBartLossTests
{
    [Fact]
    public void ShiftTokensRight_IgnoredPositions_BecomePadAndLanguageCodeMovesToFront()
    {
        // labels "5 6 </s> de_DE" plus one ignored position (-100) and one fully real row.
        using var labels = tensor(new long[] { 5, 6, 2, 1003, -100, 7, 8, 9, 2, 1004 }, [2, 5]);

        using var shifted = MBartLoss.ShiftTokensRight(labels, padTokenId: 1);

        // transformers: -100 -> pad; the last non-pad token goes first; the rest shifts right by one.
        Assert.Equal(new long[] { 1003, 5, 6, 2, 1003, 1004, 7, 8, 9, 2 }, shifted.data<long>().ToArray());
    }

    [Fact]
    public void ShiftTokensRight_RowOfPaddingOnly_Throws()
    {
        using var labels = tensor(new long[] { 5, 2, 1, 1 }, [2, 2]);

        var e = Assert.Throws<ArgumentException>(() => MBartLoss.ShiftTokensRight(labels, 1));

        Assert.Contains("a label row holds only padding", e.Message);
    }

    [Fact]
    public void LabelSmoothedCrossEntropy_PaddedLabels_EqualsFormulaOverRealPositions()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2, 0, -1, 0.5f, 1, 1, 1, 1, -3, 4, 0, 1, 0, 0, 0, 9 }, [1, 4, 4]);
        var labels = tensor(new long[] { 0, 3, 2, 1 }, [1, 4]); // the last position is padding (id 1)
        const double eps = 0.1;

        var loss = MBartLoss.LabelSmoothedCrossEntropy(logits, labels, padTokenId: 1, epsilon: eps).item<float>();

        // By hand: per real position, (1-ε)·(-log p[target]) + ε·mean_v(-log p[v]); mean over the 3 real positions.
        var logp = F.log_softmax(logits[0], -1);
        long[] targets = [0, 3, 2];
        double expected = targets.Select((t, i) => (1 - eps) * -logp[i, t].item<float>() + eps * -logp[i].mean().item<float>()).Average();
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void CrossEntropy_IgnoreIndex_AveragesOnlyOtherPositions()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0, 0, 10, 0, 0, 0 }, [1, 3, 2]);
        var labels = tensor(new long[] { 0, -100, 1 }, [1, 3]);

        var loss = MBartLoss.CrossEntropy(logits, labels).item<float>();

        // Positions 0 and 2 have uniform logits over 2 classes: -log(1/2) each.
        Assert.Equal(Math.Log(2), loss, 5);
    }
}
