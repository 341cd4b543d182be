using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Tests.Text;

public class SpecialTokenSplitterTests
{
    private static readonly SpecialTokenSplitter Splitter = new(
        new Dictionary<string, int> { ["</s>"] = 2, ["<mask>"] = 9, ["de_DE"] = 7 }, ["<mask>"]);

    [Fact]
    public void Split_NoSpecials_OneTextSegment()
    {
        Assert.Equal([new TextSegment("am montag", null)], Splitter.Split("am montag"));
    }

    [Fact]
    public void Split_SpecialInMiddle_TextSpecialText()
    {
        Assert.Equal(
            [new TextSegment("mit ", null), new TextSegment("</s>", 2), new TextSegment(" mitten", null)],
            Splitter.Split("mit </s> mitten"));
    }

    [Fact]
    public void Split_LeftStrippedToken_EatsWhitespaceOnItsLeftOnly()
    {
        Assert.Equal(
            [new TextSegment("Hallo", null), new TextSegment("<mask>", 9), new TextSegment(" Welt", null)],
            Splitter.Split("Hallo  \t<mask> Welt"));
    }

    [Fact]
    public void Split_AdjacentSpecialsAndWhitespaceOnly_DropsEmptyText()
    {
        Assert.Equal(
            [new TextSegment("de_DE", 7), new TextSegment("<mask>", 9), new TextSegment("</s>", 2)],
            Splitter.Split("de_DE <mask></s>"));
    }

    [Fact]
    public void Split_PartialLiteral_StaysText()
    {
        Assert.Equal([new TextSegment("<mas de_D", null)], Splitter.Split("<mas de_D"));
    }
}
