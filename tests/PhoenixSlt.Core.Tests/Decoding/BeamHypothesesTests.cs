using PhoenixSlt.Core.Decoding;

namespace PhoenixSlt.Core.Tests.Decoding;

/// BeamHypotheses rules of transformers 4.40 on hand-computed cases.
public class BeamHypothesesTests
{
    [Theory]
    [InlineData(1.0, 1)] // -2/2 = -1 vs -3/6 = -0.5: the longer hypothesis wins
    [InlineData(0.0, 0)] // -2 vs -3: the shorter wins
    [InlineData(2.0, 1)] // -0.5 vs -0.083
    public void Best_LengthPenalty_RanksBySumOverLengthPower(double lengthPenalty, int expectedIndex)
    {
        var hyps = new BeamHypotheses(2, lengthPenalty, EarlyStopping.OnBeamsFinished, maxLength: 20);
        long[][] tokens = [[0, 5], [0, 5, 6, 7, 8, 9]];

        hyps.Add(tokens[0], -2.0, generatedLength: 2);
        hyps.Add(tokens[1], -3.0, generatedLength: 6);

        Assert.Same(tokens[expectedIndex], hyps.Best().Tokens);
        Assert.Equal(expectedIndex == 0 ? -2.0 / Math.Pow(2, lengthPenalty) : -3.0 / Math.Pow(6, lengthPenalty), hyps.Best().Score, 12);
    }

    [Fact]
    public void Add_MoreThanNumBeams_DropsWorstAndTracksNewWorst()
    {
        var hyps = new BeamHypotheses(2, 1.0, EarlyStopping.Heuristic, maxLength: 20);

        hyps.Add([0, 1], -4.0, 1); // -4
        hyps.Add([0, 2], -1.0, 1); // -1
        Assert.Equal(-4.0, hyps.WorstScore);
        hyps.Add([0, 3], -2.0, 1); // -2 beats -4, which leaves
        Assert.Equal(2, hyps.Count);
        Assert.Equal(-2.0, hyps.WorstScore);
        hyps.Add([0, 4], -3.0, 1); // -3 is worse than the worst kept: ignored

        Assert.Equal([-1.0, -2.0], hyps.Beams.Select(b => b.Score));
    }

    [Fact]
    public void Best_EqualScores_LatestAddedWins()
    {
        var hyps = new BeamHypotheses(3, 1.0, EarlyStopping.Heuristic, maxLength: 20);
        long[] first = [0, 1], second = [0, 2];

        hyps.Add(first, -1.0, 1);
        hyps.Add(second, -1.0, 1);

        Assert.Same(second, hyps.Best().Tokens);
    }

    [Fact]
    public void IsDone_FewerThanNumBeams_False()
    {
        var hyps = new BeamHypotheses(2, 1.0, EarlyStopping.OnBeamsFinished, maxLength: 20);
        hyps.Add([0], -1.0, 1);

        Assert.False(hyps.IsDone(-100.0, 5));
    }

    [Fact]
    public void IsDone_EarlyStoppingTrue_TrueOnceFull()
    {
        var hyps = new BeamHypotheses(2, 1.0, EarlyStopping.OnBeamsFinished, maxLength: 20);
        hyps.Add([0], -5.0, 1);
        hyps.Add([0], -5.0, 1);

        Assert.True(hyps.IsDone(-0.001, 3));
    }

    [Theory]
    [InlineData(-4.0, 3, false)] // best attainable -4/(3-1) = -2 > worst -3
    [InlineData(-6.0, 3, true)] // -3 ≤ worst -3
    [InlineData(-8.0, 5, false)] // -8/4 = -2
    public void IsDone_EarlyStoppingFalse_ComparesWorstWithBestOverCurrentLength(double best, int currentLength, bool expected)
    {
        var hyps = new BeamHypotheses(2, 1.0, EarlyStopping.Heuristic, maxLength: 20);
        hyps.Add([0], -3.0, 1);
        hyps.Add([0], -1.0, 1);

        Assert.Equal(expected, hyps.IsDone(best, currentLength));
    }

    [Theory]
    [InlineData(1.0, -20.0, false)] // positive penalty: best over max length: -20/(11-1) = -2 > worst -3
    [InlineData(1.0, -40.0, true)] // -4 ≤ -3
    [InlineData(-1.0, -1.0, false)] // non-positive penalty uses the current length: -1 / (3-1)^-1 = -2 > -3
    [InlineData(-1.0, -2.0, true)] // -2 / (3-1)^-1 = -4 ≤ -3
    public void IsDone_EarlyStoppingNever_UsesMaxLengthForPositivePenalty(double lengthPenalty, double best, bool expected)
    {
        var hyps = new BeamHypotheses(2, lengthPenalty, EarlyStopping.Never, maxLength: 11);
        hyps.Add([0], -3.0, 1); // score -3 for any penalty (length 1)
        hyps.Add([0], -1.0, 1);

        Assert.Equal(expected, hyps.IsDone(best, currentLength: 3));
    }
}
