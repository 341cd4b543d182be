using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Text;

public class MBartTokenizerTests
{
    private static MBartTokenizer Tokenizer => TokenizerFixture.Tokenizer;

    public static TheoryData<int, string> CaseIndices()
    {
        var data = new TheoryData<int, string>();
        for (int i = 0; i < TokenizerFixture.Cases.Items.Length; i++)
            data.Add(i, TokenizerFixture.Cases.Items[i].Category);
        return data;
    }

    [Fact]
    public void Cases_Fixture_HasFortyCases()
    {
        Assert.Equal(40, TokenizerFixture.Cases.Items.Length);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Encode_FixtureCase_MatchesTransformersInputIds(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        var ids = Tokenizer.Encode(c.Text);

        Assert.True(c.InputIds.SequenceEqual(ids),
            $"case {index} ({category}) '{c.Text}': expected [{string.Join(",", c.InputIds)}] got [{string.Join(",", ids)}]");
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Encode_FixtureCaseAsTarget_MatchesTextTargetIds(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        var ids = Tokenizer.Encode(c.Text, language: "de_DE");

        Assert.True(c.TextTargetIds.SequenceEqual(ids), $"case {index} ({category})");
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void IdToToken_FixtureCase_MatchesConvertIdsToTokens(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        var tokens = c.InputIds.Select(Tokenizer.IdToToken).ToArray();

        Assert.True(c.Tokens.SequenceEqual(tokens),
            $"case {index} ({category}): expected [{string.Join(" ", c.Tokens)}] got [{string.Join(" ", tokens)}]");
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Decode_FixtureCaseSkippingSpecials_MatchesDecoded(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        Assert.True(c.Decoded == Tokenizer.Decode(c.InputIds), $"case {index} ({category})");
        Assert.Equal(c.Decoded, Tokenizer.Decode(c.InputIds, skipSpecialTokens: true, cleanUpTokenizationSpaces: true));
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Decode_FixtureCaseWithoutCleanup_MatchesDecodedNoCleanup(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        string text = Tokenizer.Decode(c.InputIds, skipSpecialTokens: true, cleanUpTokenizationSpaces: false);

        Assert.True(c.DecodedNoCleanup == text, $"case {index} ({category}): got '{text}'");
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Decode_FixtureCaseWithSpecials_MatchesDecodedWithSpecial(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];

        string text = Tokenizer.Decode(c.InputIds, skipSpecialTokens: false);

        Assert.True(c.DecodedWithSpecial == text, $"case {index} ({category}): got '{text}'");
    }

    [Fact]
    public void VocabSize_TinyModel_EqualsLenTokenizer()
    {
        Assert.Equal(TokenizerFixture.Cases.LenTokenizer, Tokenizer.VocabSize);
        Assert.Equal(TokenizerFixture.Cases.SpModelPieces, Tokenizer.SentencePieceCount);
        Assert.Equal(TokenizerFixture.Cases.SpModelPieces + TokenizerFixture.Cases.FairseqOffset + 25 + 1, Tokenizer.VocabSize);
    }

    [Fact]
    public void SpecialIds_TinyModel_MatchFixture()
    {
        var expected = TokenizerFixture.Cases.SpecialIds;

        Assert.Equal(expected["<s>"], Tokenizer.BosId);
        Assert.Equal(expected["<pad>"], Tokenizer.PadId);
        Assert.Equal(expected["</s>"], Tokenizer.EosId);
        Assert.Equal(expected["<unk>"], Tokenizer.UnkId);
        Assert.Equal(expected["<mask>"], Tokenizer.MaskId);
        foreach (var (token, id) in expected)
            Assert.Equal(token, Tokenizer.IdToToken(id));
    }

    [Fact]
    public void LanguageId_EveryCode_MatchesLangCodeToId()
    {
        var expected = TokenizerFixture.Cases.LangCodeToId;

        Assert.Equal(expected.Count, Tokenizer.LanguageCodes.Count);
        foreach (var (code, id) in expected)
        {
            Assert.Equal(id, Tokenizer.LanguageId(code));
            Assert.Equal(code, Tokenizer.IdToToken(id));
        }
        Assert.Equal(expected.OrderBy(kv => kv.Value).Select(kv => kv.Key), Tokenizer.LanguageCodes);
    }

    [Fact]
    public void IsSpecial_AllIds_TrueExactlyForAllSpecialIds()
    {
        var expected = TokenizerFixture.Cases.AllSpecialIds.ToHashSet();

        var actual = Enumerable.Range(0, Tokenizer.VocabSize).Where(Tokenizer.IsSpecial).ToHashSet();

        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public void LanguageId_UnknownCode_ThrowsListingValidCodes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tokenizer.LanguageId("xx_XX"));

        Assert.Contains("xx_XX", e.Message);
        Assert.Contains("de_DE", e.Message);
    }

    [Fact]
    public void Encode_OtherLanguage_EndsWithThatLanguageCode()
    {
        var c = TokenizerFixture.Cases.Items[0];
        int en = TokenizerFixture.Cases.LangCodeToId["en_XX"];

        var ids = Tokenizer.Encode(c.Text, language: "en_XX");

        Assert.Equal([.. c.InputIds[..^1], en], ids);
    }

    [Fact]
    public void Encode_MaxLength_CutsTextAndKeepsSuffix()
    {
        var c = TokenizerFixture.Cases.Items[0];

        var ids = Tokenizer.Encode(c.Text, maxLength: 5);

        Assert.Equal([c.InputIds[0], c.InputIds[1], c.InputIds[2], c.InputIds[^2], c.InputIds[^1]], ids);
    }

    [Fact]
    public void Encode_MaxLengthBelowSuffix_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode("am montag", maxLength: 1));
    }

    [Fact]
    public void EncodeBatch_ThreeTexts_RightPadsWithPadAndMasks()
    {
        var cases = TokenizerFixture.Cases.Items;
        string[] texts = [cases[0].Text, cases[3].Text, cases[6].Text];

        var batch = Tokenizer.EncodeBatch(texts);

        int longest = cases[0].InputIds.Length;
        Assert.Equal(3, batch.BatchSize);
        Assert.Equal(longest, batch.SequenceLength);
        for (int row = 0; row < 3; row++)
        {
            int[] expected = cases[new[] { 0, 3, 6 }[row]].InputIds;
            Assert.Equal(expected.Length, batch.Lengths[row]);
            long[] paddedIds = [.. expected.Select(i => (long)i), .. Enumerable.Repeat((long)TokenizerFixture.Cases.SpecialIds["<pad>"], longest - expected.Length)];
            long[] paddedMask = [.. Enumerable.Repeat(1L, expected.Length), .. Enumerable.Repeat(0L, longest - expected.Length)];
            Assert.Equal(paddedIds, batch.Row(row).ToArray());
            Assert.Equal(paddedMask, batch.MaskRow(row).ToArray());
        }
    }

    [Fact]
    public void Encode_ConcurrentCalls_SameIdsAsFixture()
    {
        var cases = TokenizerFixture.Cases.Items;
        int mismatches = 0;

        Parallel.For(0, 2000, i =>
        {
            var c = cases[i % cases.Length];
            if (!c.InputIds.SequenceEqual(Tokenizer.Encode(c.Text)))
                Interlocked.Increment(ref mismatches);
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Decode_IdOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([18, Tokenizer.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([-100, 18]));
    }

    [Fact]
    public void Normalizer_TinyModel_UsesPrecompiledMap()
    {
        Assert.Equal("nmt_nfkc", Tokenizer.Model.Normalizer.Name);
        Assert.True(Tokenizer.Normalizer.UsesPrecompiledMap);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void NormalizerFromRuleName_FixtureCase_AgreesWithPrecompiledMap(int index, string category)
    {
        var c = TokenizerFixture.Cases.Items[index];
        var rebuilt = SentencePieceTextNormalizer.FromRuleName(Tokenizer.Model.Normalizer);

        Assert.False(rebuilt.UsesPrecompiledMap);
        Assert.True(Tokenizer.Normalizer.Normalize(c.Text) == rebuilt.Normalize(c.Text), $"case {index} ({category})");
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingFileAndWhatToPass()
    {
        string missing = Path.Combine(TestPaths.NewTempDir(), "nothing.model");

        var e = Assert.Throws<PhoenixDataException>(() => MBartTokenizer.Load(missing));

        Assert.Equal(missing, e.FilePath);
        Assert.Contains("not found", e.Message);
        Assert.Contains(MBartTokenizer.ModelFileName, e.Message);
    }

    [Fact]
    public void Load_NotAModel_ThrowsNamingFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "bad.model");
        File.WriteAllText(path, "this is not a sentencepiece model");

        var e = Assert.Throws<PhoenixDataException>(() => MBartTokenizer.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("SentencePiece", e.Message);
    }

    [Fact]
    public void SaveTo_Folder_LoadsBackWithSameIds()
    {
        string dir = TestPaths.NewTempDir();

        string path = Tokenizer.SaveTo(dir);
        var loaded = MBartTokenizer.Load(dir);

        Assert.Equal(Path.Combine(dir, MBartTokenizer.ModelFileName), path);
        Assert.Equal(File.ReadAllBytes(TokenizerFixture.ModelPath), File.ReadAllBytes(path));
        foreach (var c in TokenizerFixture.Cases.Items)
            Assert.Equal(c.InputIds, loaded.Encode(c.Text));
    }
}
