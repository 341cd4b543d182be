using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Tests.Text;

/// Behaviour fixed by sentencepiece's Normalizer::Normalize and the nmt_nfkc rules.
public class SentencePieceTextNormalizerTests
{
    private static SentencePieceTextNormalizer Nmt(bool dummyPrefix = true, bool removeExtra = true, bool escape = true) =>
        SentencePieceTextNormalizer.FromSpec(new SentencePieceNormalizerSpec("nmt_nfkc", [], dummyPrefix, removeExtra, escape));

    [Theory]
    [InlineData("am montag", "▁am▁montag")]
    [InlineData("  am   montag  ", "▁am▁montag")]
    [InlineData("am\tmontag\nregen", "▁am▁montag▁regen")]
    [InlineData("", "")]
    [InlineData(" \t ", "")]
    [InlineData("ﬁnden", "▁finden")]
    [InlineData("ＡＢＣ", "▁ABC")]
    [InlineData("e\u0301", "▁é")]
    [InlineData("a\u0001b", "▁ab")]
    [InlineData("a\u200Bb", "▁a▁b")]
    public void Normalize_NmtNfkcRules_FollowsSentencePiece(string input, string expected)
    {
        Assert.Equal(expected, Nmt().Normalize(input));
    }

    [Fact]
    public void Normalize_NoDummyPrefix_OmitsLeadingSpaceSymbol()
    {
        Assert.Equal("am▁tag", Nmt(dummyPrefix: false).Normalize("am tag"));
    }

    [Fact]
    public void Normalize_KeepExtraWhitespace_KeepsEverySpace()
    {
        Assert.Equal("▁▁am▁▁tag▁", Nmt(removeExtra: false).Normalize(" am  tag "));
    }

    [Fact]
    public void Normalize_NoEscape_KeepsPlainSpaces()
    {
        Assert.Equal(" am tag", Nmt(escape: false).Normalize("am  tag"));
    }

    [Fact]
    public void FromSpec_IdentityWithoutMap_ChangesOnlyWhitespace()
    {
        var identity = SentencePieceTextNormalizer.FromSpec(new SentencePieceNormalizerSpec("identity", [], true, true, true));

        Assert.Equal("▁ﬁ▁ＡＢＣ", identity.Normalize("ﬁ  ＡＢＣ"));
    }

    [Fact]
    public void FromSpec_UnknownRuleWithoutMap_Throws()
    {
        var spec = new SentencePieceNormalizerSpec("my_rules", [], true, true, true);

        var e = Assert.Throws<InvalidDataException>(() => SentencePieceTextNormalizer.FromSpec(spec));

        Assert.Contains("my_rules", e.Message);
    }

    [Fact]
    public void FromSpec_TruncatedCharsMap_Throws()
    {
        var spec = new SentencePieceNormalizerSpec("nmt_nfkc", [0xFF, 0xFF, 0x00, 0x00, 0x01], true, true, true);

        Assert.Throws<InvalidDataException>(() => SentencePieceTextNormalizer.FromSpec(spec));
    }
}
