using System.Text.Json;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Text;

public class CorpusTokenizerTests
{
    // PHOENIX-2014-T style translations: lowercase, punctuation split off with spaces.
    private static readonly string[] Corpus =
    [
        "und nun die wettervorhersage für morgen donnerstag den zwölften august .",
        "im süden regnet es , im norden scheint die sonne .",
        "morgen regnet es im norden .",
        "die temperaturen liegen zwischen zehn und zwanzig grad .",
    ];

    private static CorpusTokenizer Build(CorpusTokenizerOptions? options = null) => CorpusTokenizer.Build(Corpus, options);

    [Fact]
    public void Build_Corpus_WordsOrderedByFrequencyThenOrdinal()
    {
        var tokenizer = Build();

        // Counts: "." 4; "die" 3, "im" 3; "es" 2, "morgen" 2, "norden" 2, "regnet" 2, "und" 2; the rest 1.
        Assert.Equal([".", "die", "im", "es", "morgen", "norden", "regnet", "und"], tokenizer.Words.Take(8));
        int distinct = Corpus.SelectMany(s => s.Split(' ')).Distinct().Count();
        Assert.Equal(distinct, tokenizer.Words.Count);
    }

    [Fact]
    public void Build_Corpus_SharesMBartSpecialLayout()
    {
        var tokenizer = Build();
        int words = tokenizer.Words.Count;

        Assert.Equal((0, 1, 2, 3), (tokenizer.BosId, tokenizer.PadId, tokenizer.EosId, tokenizer.UnkId));
        Assert.Equal(".", tokenizer.IdToToken(4));
        Assert.Equal(4 + words, tokenizer.LanguageId("ar_AR"));
        Assert.Equal(4 + words + 2, tokenizer.LanguageId("de_DE"));
        Assert.Equal(4 + words + 25, tokenizer.MaskId);
        Assert.Equal(4 + words + 26, tokenizer.VocabSize);
        Assert.Equal("<mask>", tokenizer.IdToToken(tokenizer.MaskId));
        Assert.Equal(SpecialTokens.FairseqLanguageCodes, tokenizer.LanguageCodes);
    }

    [Fact]
    public void Encode_KnownSentence_WordIdsThenEosAndGerman()
    {
        var tokenizer = Build();
        int Id(string w) => 4 + tokenizer.Words.ToList().IndexOf(w);

        var ids = tokenizer.Encode("morgen regnet es im norden .");

        Assert.Equal([Id("morgen"), Id("regnet"), Id("es"), Id("im"), Id("norden"), Id("."), 2, tokenizer.LanguageId("de_DE")], ids);
    }

    [Fact]
    public void Encode_UnknownWords_MapToUnk()
    {
        var tokenizer = Build();

        var ids = tokenizer.Encode("morgen schneit es");

        Assert.Equal(tokenizer.UnkId, ids[1]);
        Assert.NotEqual(tokenizer.UnkId, ids[0]);
        Assert.NotEqual(tokenizer.UnkId, ids[2]);
    }

    [Fact]
    public void Encode_CapitalsAndAttachedPunctuation_SameIdsAsPhoenixForm()
    {
        var tokenizer = Build();

        Assert.Equal(tokenizer.Encode("morgen regnet es im norden ."), tokenizer.Encode("Morgen regnet es im Norden."));
    }

    [Fact]
    public void Build_MinFrequencyTwo_RareWordsBecomeUnk()
    {
        var tokenizer = Build(new CorpusTokenizerOptions { MinFrequency = 2 });

        Assert.Equal([".", "die", "im", "es", "morgen", "norden", "regnet", "und"], tokenizer.Words);
        Assert.Equal(tokenizer.UnkId, tokenizer.Encode("sonne")[0]);
        Assert.Equal(2, tokenizer.MinFrequency);
    }

    [Fact]
    public void Build_MaxWords_KeepsMostFrequent()
    {
        var tokenizer = Build(new CorpusTokenizerOptions { MaxWords = 3 });

        Assert.Equal([".", "die", "im"], tokenizer.Words);
    }

    [Fact]
    public void Build_CorpusContainingSpecialLiterals_DoesNotMakeThemWords()
    {
        var tokenizer = CorpusTokenizer.Build(["regen <mask> de_DE </s> <unk>"]);

        Assert.Equal(["regen"], tokenizer.Words);
    }

    [Fact]
    public void Encode_MaskLiteral_MapsToMaskId()
    {
        var tokenizer = Build();

        var ids = tokenizer.Encode("morgen <mask> es");

        Assert.Equal(tokenizer.MaskId, ids[1]);
    }

    [Fact]
    public void Decode_CorpusSentences_ReproducesText()
    {
        var tokenizer = Build();

        foreach (string sentence in Corpus)
            Assert.Equal(sentence, tokenizer.Decode(tokenizer.Encode(sentence)));
    }

    [Fact]
    public void Decode_UnknownWord_DroppedWhenSkippingShownOtherwise()
    {
        var tokenizer = Build();
        var ids = tokenizer.Encode("morgen schneit es");

        Assert.Equal("morgen es", tokenizer.Decode(ids));
        Assert.Equal("morgen <unk> es </s> de_DE", tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Theory]
    [InlineData("Regen, morgen.", new[] { "regen", ",", "morgen", "." })]
    [InlineData("„Sonne“ ...", new[] { "„", "sonne", "“", ".", ".", "." })]
    [InlineData("nord-west  und\tz.b.", new[] { "nord-west", "und", "z.b", "." })]
    [InlineData("   ", new string[0])]
    public void SplitWords_Text_SplitsOnWhitespaceAndOuterPunctuation(string text, string[] expected)
    {
        Assert.Equal(expected, CorpusTokenizer.SplitWords(text, lowercase: true));
    }

    [Fact]
    public void EncodeBatch_TwoSentences_RightPaddedWithMask()
    {
        var tokenizer = Build();

        var batch = tokenizer.EncodeBatch(["morgen regnet es", "sonne"]);

        Assert.Equal(5, batch.SequenceLength);
        Assert.Equal([.. tokenizer.Encode("sonne").Select(i => (long)i), 1L, 1L], batch.Row(1).ToArray());
        Assert.Equal([1L, 1L, 1L, 0L, 0L], batch.MaskRow(1).ToArray());
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameVocabularyAndIds()
    {
        var tokenizer = Build(new CorpusTokenizerOptions { MinFrequency = 1, DefaultLanguage = "en_XX" });
        string path = Path.Combine(TestPaths.NewTempDir(), "tokenizer.json");

        tokenizer.Save(path);
        var loaded = CorpusTokenizer.Load(path);

        Assert.Equal(tokenizer.Words, loaded.Words);
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal("en_XX", loaded.DefaultLanguage);
        foreach (string sentence in Corpus.Append("Unbekannte Wörter heute"))
            Assert.Equal(tokenizer.Encode(sentence), loaded.Encode(sentence));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(CorpusTokenizer.TypeName, json.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "tokenizer.json");

        var e = Assert.Throws<PhoenixDataException>(() => CorpusTokenizer.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{"type":"BPE","version":1,"words":[],"language_codes":["de_DE"]}""", "not a vocabulary written by phoenix-slt")]
    [InlineData("""{"type":"phoenix-slt-corpus-words","version":7,"words":[],"language_codes":["de_DE"]}""", "version 7")]
    [InlineData("""{"type":"phoenix-slt-corpus-words","version":1,"words":["a","a"],"language_codes":["de_DE"]}""", "listed twice")]
    [InlineData("""{"type":"phoenix-slt-corpus-words","version":1,"words":["<pad>"],"language_codes":["de_DE"]}""", "special token")]
    [InlineData("""{"type":"phoenix-slt-corpus-words","version":1,"words":["a"]}""", "language_codes")]
    [InlineData("""{"type":"phoenix-slt-corpus-words","version":1,"words":["a"],"language_codes":["en_XX"]}""", "unknown language code 'de_DE'")]
    public void Load_MalformedFile_ThrowsSayingWhatIsWrong(string content, string expectedMessagePart)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "tokenizer.json");
        File.WriteAllText(path, content);

        var e = Assert.Throws<PhoenixDataException>(() => CorpusTokenizer.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(expectedMessagePart, e.Message);
    }
}
