using PhoenixSlt.Web.Services.Tags;

namespace PhoenixSlt.Web.Tests.Groups;

public sealed class TagListTests
{
    [Fact]
    public void Normalize_TrimsDropsEmptyAndCaseInsensitiveDuplicates_KeepingTheFirstSpelling()
    {
        var (tags, problem) = TagList.Normalize([" Baseline ", "", "lr:2e-3", "baseline", "  "]);

        Assert.Null(problem);
        Assert.Equal(["Baseline", "lr:2e-3"], tags);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("comma,inside")]
    [InlineData("percent%")]
    public void Normalize_CharactersOutsideTheRule_AreRefusedNamingTheTag(string tag)
    {
        var (tags, problem) = TagList.Normalize([tag]);

        Assert.Empty(tags);
        Assert.Contains(tag, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_TooLongOrTooMany_AreRefused()
    {
        Assert.NotNull(TagList.Normalize([new string('a', TagList.MaxLength + 1)]).Problem);
        Assert.Null(TagList.Normalize([new string('a', TagList.MaxLength)]).Problem);
        Assert.NotNull(TagList.Normalize(Enumerable.Range(0, TagList.MaxTags + 1).Select(i => $"t{i}")).Problem);
        Assert.Null(TagList.Normalize(Enumerable.Range(0, TagList.MaxTags).Select(i => $"t{i}")).Problem);
    }

    [Fact]
    public void StoreAndParse_RoundTrip_AndNoTagsIsEmpty()
    {
        Assert.Equal(",a,b-2,", TagList.Store(["a", "b-2"]));
        Assert.Equal(["a", "b-2"], TagList.Parse(",a,b-2,"));
        Assert.Equal("", TagList.Store([]));
        Assert.Empty(TagList.Parse(""));
        Assert.Empty(TagList.Parse(null));
    }

    [Fact]
    public void LikePattern_WrapsTheTagInSeparators_SoPrefixesDoNotMatch()
    {
        // ",ab," contains ",a" but not ",a,": the separators make the match whole-tag
        Assert.Equal("%,a,%", TagList.LikePattern(" a "));
        Assert.DoesNotContain(",a,", TagList.Store(["ab"]), StringComparison.Ordinal);
        Assert.Null(TagList.LikePattern("not valid"));
    }
}
