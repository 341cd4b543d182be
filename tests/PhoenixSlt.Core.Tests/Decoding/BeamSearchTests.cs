using PhoenixSlt.Core.Decoding;
using static PhoenixSlt.Core.Tests.Decoding.ScriptedModel;

namespace PhoenixSlt.Core.Tests.Decoding;

/// Beam search (2 beams) on <see cref="ScriptedModel"/> scenarios whose results are worked out by hand from
/// transformers 4.40's rules (see each scenario's comment).
public class BeamSearchTests
{
    private const double Tolerance = 1e-5;

    /// Scenario 0: start → A .55 | EOS .45; A → EOS .6 | B .4; B → EOS 1.
    /// Step 1 finishes [start] (sum ln .45, length 1); step 2 finishes [start A] (sum ln .55 + ln .6, length 2)
    /// while [start A B] stays open (sum ln .55 + ln .4).
    /// Scenario 1: start → EOS .3 | A .45 | B .25; A → EOS .2 | C .8; B → EOS .6 | C .4; C → EOS 1.
    /// Step 2 finishes [start B] as the second hypothesis; [start A C] (sum ln .45 + ln .8) finishes at step 3.
    /// Scenario 2: start → EOS .9 | A .1; A → EOS 1: [start] wins at once.
    private static ScriptedModel Model() => new ScriptedModel()
        .Rule(0, Start, (A, .55), (Eos, .45)).Rule(0, A, (Eos, .6), (B, .4)).Rule(0, B, (Eos, 1.0))
        .Rule(1, Start, (Eos, .3), (A, .45), (B, .25)).Rule(1, A, (Eos, .2), (C, .8)).Rule(1, B, (Eos, .6), (C, .4)).Rule(1, C, (Eos, 1.0))
        .Rule(2, Start, (Eos, .9), (A, .1)).Rule(2, A, (Eos, 1.0));

    private static GenerationConfig Beam(double lengthPenalty = 1.0, EarlyStopping earlyStopping = EarlyStopping.OnBeamsFinished) => new()
    {
        NumBeams = 2,
        MaxNewTokens = 8,
        LengthPenalty = lengthPenalty,
        EarlyStopping = earlyStopping,
    };

    [Theory]
    [InlineData(1.0, new long[] { Start, A, Eos })] // (ln .55 + ln .6) / 2 = -0.55 beats ln .45 = -0.80
    [InlineData(0.0, new long[] { Start, Eos })] // no normalisation: ln .45 = -0.80 beats ln .55 + ln .6 = -1.11
    [InlineData(-1.0, new long[] { Start, Eos })] // (ln .55 + ln .6) · 2 = -2.22
    public void Generate_LengthPenalty_ChoosesHypothesisByNormalisedScore(double lengthPenalty, long[] expected)
    {
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(0), Beam(lengthPenalty));

        Assert.Equal(expected, output.Sequences[0]);
        double sum = expected.Length == 2 ? Math.Log(.45) : Math.Log(.55) + Math.Log(.6);
        Assert.Equal(sum / Math.Pow(expected.Length - 1, lengthPenalty), output.SequenceScores![0], Tolerance);
    }

    [Fact]
    public void Generate_EarlyStoppingTrue_StopsOnceTwoHypothesesFinished()
    {
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(1), Beam());

        Assert.Equal([Start, B, Eos], output.Sequences[0]);
        Assert.Equal((Math.Log(.25) + Math.Log(.6)) / 2, output.SequenceScores![0], Tolerance);
    }

    [Theory]
    [InlineData(EarlyStopping.Heuristic)]
    [InlineData(EarlyStopping.Never)]
    public void Generate_EarlyStoppingFalseOrNever_KeepsSearchingAndFindsBetterLongerHypothesis(EarlyStopping mode)
    {
        // after step 2 the best running beam could still reach (ln .45 + ln .8) / 2 > worst finished ln .3
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(1), Beam(earlyStopping: mode));

        Assert.Equal([Start, A, C, Eos], output.Sequences[0]);
        Assert.Equal((Math.Log(.45) + Math.Log(.8)) / 3, output.SequenceScores![0], Tolerance);
    }

    [Fact]
    public void Generate_BatchEarlyStoppingTrue_EachRowAsAloneAndRightPadded()
    {
        using var output = new SequenceGenerator(Model()).Generate(Scenarios(2, 1, 0), Beam());

        Assert.Equal([Start, Eos, Pad], output.Sequences[0]);
        Assert.Equal([Start, B, Eos], output.Sequences[1]);
        Assert.Equal([Start, A, Eos], output.Sequences[2]);
        Assert.Equal(Math.Log(.9), output.SequenceScores![0], Tolerance);
        Assert.Equal((Math.Log(.25) + Math.Log(.6)) / 2, output.SequenceScores[1], Tolerance);
        Assert.Equal((Math.Log(.55) + Math.Log(.6)) / 2, output.SequenceScores[2], Tolerance);
    }

    [Fact]
    public void Generate_BatchWithSentenceFinishingEarly_DropsItsRowsAndOthersContinueCorrectly()
    {
        var model = Model();

        using var output = new SequenceGenerator(model).Generate(Scenarios(2, 1, 0), Beam(earlyStopping: EarlyStopping.Heuristic));

        // scenario 2 is done after step 2 (its worst hypothesis equals the best attainable score)
        Assert.Equal([Start, Eos, Pad, Pad], output.Sequences[0]);
        Assert.Equal([Start, A, C, Eos], output.Sequences[1]);
        Assert.Equal([Start, A, B, Eos], output.Sequences[2]);
        Assert.Equal((Math.Log(.55) + Math.Log(.4)) / 3, output.SequenceScores![2], Tolerance);
        var cache = Assert.Single(model.Caches);
        Assert.Equal([4L], cache.SelectSizes); // 3 sentences × 2 beams → 2 × 2 after step 2
        Assert.True(cache.Reorders >= 1);
    }

    [Fact]
    public void Generate_EosCandidateRankedBelowNumBeams_IsIgnored()
    {
        // scenario 7: start → A .7 | B .2 | C .1; A → EOS .5 | C .4 | B .1; B → EOS .9 | C .1; C → EOS 1.
        // Step 2 ranks: A→EOS (finished), A→C, B→EOS (rank 2 ≥ 2 beams: ignored), A→B. Had B→EOS counted, two
        // hypotheses would end the search with [start A]; instead [start A C] finishes at step 3 and wins.
        var model = new ScriptedModel()
            .Rule(7, Start, (A, .7), (B, .2), (C, .1)).Rule(7, A, (Eos, .5), (C, .4), (B, .1))
            .Rule(7, B, (Eos, .9), (C, .1)).Rule(7, C, (Eos, 1.0));

        using var output = new SequenceGenerator(model).Generate(Scenarios(7), Beam());

        Assert.Equal([Start, A, C, Eos], output.Sequences[0]);
        Assert.Equal((Math.Log(.7) + Math.Log(.4)) / 3, output.SequenceScores![0], Tolerance);
    }

    [Fact]
    public void Generate_MaxLengthWithoutEos_ReturnsOpenBeamWithoutEos()
    {
        // scenario 3: A forever (A → A .9 | B .1, B → B 1): no hypothesis ever finishes
        var model = new ScriptedModel().Rule(3, Start, (A, 1.0)).Rule(3, A, (A, .9), (B, .1)).Rule(3, B, (B, 1.0));

        using var output = new SequenceGenerator(model).Generate(Scenarios(3), Beam() with { MaxNewTokens = 3 });

        Assert.Equal([Start, A, A, A], output.Sequences[0]);
        Assert.Equal((Math.Log(1.0) + 2 * Math.Log(.9)) / 3, output.SequenceScores![0], Tolerance);
    }

    [Fact]
    public void Generate_ForcedEosAtMaxLength_EndsWithEosScoredZero()
    {
        var model = new ScriptedModel().Rule(3, Start, (A, 1.0)).Rule(3, A, (A, .9), (B, .1)).Rule(3, B, (B, 1.0));

        using var output = new SequenceGenerator(model).Generate(Scenarios(3), Beam() with { MaxNewTokens = 3, ForcedEosTokenId = [Eos] });

        Assert.Equal([Start, A, A, Eos], output.Sequences[0]);
        Assert.Equal((Math.Log(1.0) + Math.Log(.9)) / 3, output.SequenceScores![0], Tolerance);
    }
}
