using System.Text.Json;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Text;

/// Ids from the real sentencepiece 0.1.97 (Fixtures/make_sentencepiece_reference.py) for the mbart-tiny BPE model
/// and a tiny unigram model (mbart-large-cc25's model is unigram): fixture texts, tricky Unicode, random strings.
public class SentencePieceReferenceTests
{
    private static readonly string FixtureDir =
        Path.Combine(TestPaths.RepoRoot, "tests", "PhoenixSlt.Core.Tests", "Text", "Fixtures");

    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "sentencepiece_reference.json"))).RootElement;

    private static string ModelPath(string kind) => kind == "bpe"
        ? TokenizerFixture.ModelPath
        : Path.Combine(FixtureDir, "unigram-tiny.model");

    private static IEnumerable<(string Text, int[] SpmIds)> Cases(string kind) =>
        Reference.GetProperty(kind).EnumerateArray().Select(c =>
            (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()));

    [Theory]
    [InlineData("bpe")]
    [InlineData("unigram")]
    public void Encode_ReferenceTexts_MatchSentencePieceIdsWithFairseqOffset(string kind)
    {
        var tokenizer = kind == "bpe" ? TokenizerFixture.Tokenizer : MBartTokenizer.Load(ModelPath(kind));
        var cases = Cases(kind).ToList();
        var mismatches = new List<string>();

        foreach (var (text, spmIds) in cases)
        {
            // transformers: spm id 0 (unknown) -> <unk>=3, other ids + 1; then [</s>, de_DE].
            int[] expected = [.. spmIds.Select(i => i == 0 ? 3 : i + 1), 2, tokenizer.LanguageId("de_DE")];
            var actual = tokenizer.Encode(text);
            if (!expected.SequenceEqual(actual))
                mismatches.Add($"{JsonSerializer.Serialize(text)}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
        }

        Assert.True(cases.Count > 200, $"only {cases.Count} reference cases");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Load_UnigramModel_HasUnigramTypeAndLayout()
    {
        var tokenizer = MBartTokenizer.Load(ModelPath("unigram"));

        Assert.Equal(SentencePieceModelType.Unigram, tokenizer.Model.ModelType);
        Assert.Equal(SentencePieceModelType.Bpe, TokenizerFixture.Tokenizer.Model.ModelType);
        // pieces + fairseq offset + 25 language codes + <mask>
        Assert.Equal(tokenizer.SentencePieceCount + 1 + 25 + 1, tokenizer.VocabSize);
        Assert.Equal(tokenizer.SentencePieceCount + 1 + 2, tokenizer.LanguageId("de_DE"));
    }

    [Theory]
    [InlineData("bpe")]
    [InlineData("unigram")]
    public void NormalizerFromRuleName_ReferenceTexts_AgreesWithPrecompiledMap(string kind)
    {
        var tokenizer = kind == "bpe" ? TokenizerFixture.Tokenizer : MBartTokenizer.Load(ModelPath(kind));
        var rebuilt = SentencePieceTextNormalizer.FromRuleName(tokenizer.Model.Normalizer);

        var differences = Cases(kind)
            .Where(c => tokenizer.Normalizer.Normalize(c.Text) != rebuilt.Normalize(c.Text))
            .Select(c => JsonSerializer.Serialize(c.Text))
            .ToList();

        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(10)));
    }
}
