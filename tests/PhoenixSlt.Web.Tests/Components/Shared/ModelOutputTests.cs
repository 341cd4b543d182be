using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Shared;

public sealed class ModelOutputTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("  \t\n", true)]
    [InlineData("regen", false)]
    public void IsEmpty_NullBlankOrText(string? output, bool empty) => Assert.Equal(empty, ModelOutput.IsEmpty(output));

    [Fact]
    public void Display_EmptyOutput_IsThePlaceholderAndTextStaysAsItIs()
    {
        Assert.Equal("(empty output)", ModelOutput.Display(" "));
        Assert.Equal("morgen regen", ModelOutput.Display("morgen regen"));
    }

    [Fact]
    public void NotLearnedYet_NoOutputs_False() => Assert.False(ModelOutput.NotLearnedYet([]));

    [Fact]
    public void NotLearnedYet_OneEmptyOutput_True() => Assert.True(ModelOutput.NotLearnedYet([""]));

    [Fact]
    public void NotLearnedYet_HalfEmpty_TrueAndJustUnderHalf_False()
    {
        // 2 of 4 empty = the 0.5 threshold; 2 of 5 empty is below it (and the rest differ).
        Assert.True(ModelOutput.NotLearnedYet(["a", "", "b", null]));
        Assert.False(ModelOutput.NotLearnedYet(["a", "", "b", null, "c"]));
    }

    [Fact]
    public void NotLearnedYet_OnePhraseForFourOfFive_TrueAndForThreeOfFive_False()
    {
        // 4 of 5 = 0.8, the repetition threshold (trimmed before comparing); 3 of 5 = 0.6 is below.
        Assert.True(ModelOutput.NotLearnedYet(["es regnet", "es regnet ", " es regnet", "es regnet", "sonne"]));
        Assert.False(ModelOutput.NotLearnedYet(["es regnet", "es regnet", "es regnet", "wind", "sonne"]));
    }

    [Fact]
    public void NotLearnedYet_TwoEqualSentences_FalseBelowTheMinimumForRepetition()
        => Assert.False(ModelOutput.NotLearnedYet(["es regnet", "es regnet"]));

    [Fact]
    public void NotLearnedYet_DifferentSentences_False()
        => Assert.False(ModelOutput.NotLearnedYet(["morgen regen", "im süden sonne", "der wind weht", "es schneit"]));
}
