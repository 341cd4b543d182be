using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Text;

public class TokenizerFactoryTests
{
    private static readonly CorpusTokenizer Corpus = CorpusTokenizer.Build(["morgen regnet es im norden ."]);

    [Fact]
    public void Load_FolderWithSentencePieceModel_ReturnsMBartTokenizer()
    {
        string dir = TestPaths.NewTempDir();
        TokenizerFixture.Tokenizer.SaveTo(dir);

        var tokenizer = TokenizerFactory.Load(dir);

        Assert.IsType<MBartTokenizer>(tokenizer);
        var c = TokenizerFixture.Cases.Items[0];
        Assert.Equal(c.InputIds, tokenizer.Encode(c.Text));
    }

    [Fact]
    public void Load_FolderWithVocabulary_ReturnsCorpusTokenizer()
    {
        string dir = TestPaths.NewTempDir();
        Corpus.SaveTo(dir);

        var tokenizer = TokenizerFactory.Load(dir);

        var loaded = Assert.IsType<CorpusTokenizer>(tokenizer);
        Assert.Equal(Corpus.Words, loaded.Words);
    }

    [Fact]
    public void Load_FolderWithBoth_PrefersSentencePiece()
    {
        string dir = TestPaths.NewTempDir();
        Corpus.SaveTo(dir);
        TokenizerFixture.Tokenizer.SaveTo(dir);

        Assert.IsType<MBartTokenizer>(TokenizerFactory.Load(dir));
    }

    [Fact]
    public void Load_Files_DispatchOnExtension()
    {
        string dir = TestPaths.NewTempDir();
        string json = Corpus.SaveTo(dir);

        Assert.IsType<CorpusTokenizer>(TokenizerFactory.Load(json));
        Assert.IsType<MBartTokenizer>(TokenizerFactory.Load(TokenizerFixture.ModelPath));
    }

    [Fact]
    public void Load_EmptyFolder_ThrowsNamingBothFileNames()
    {
        string dir = TestPaths.NewTempDir();

        var e = Assert.Throws<PhoenixDataException>(() => TokenizerFactory.Load(dir));

        Assert.Equal(dir, e.FilePath);
        Assert.Contains(MBartTokenizer.ModelFileName, e.Message);
        Assert.Contains(CorpusTokenizer.FileName, e.Message);
    }

    [Fact]
    public void Load_MissingPath_Throws()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "absent", "sentencepiece.bpe.model");

        var e = Assert.Throws<PhoenixDataException>(() => TokenizerFactory.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Load_DefaultLanguage_AppliesToBothKinds()
    {
        string dir = TestPaths.NewTempDir();
        string json = Corpus.SaveTo(dir);

        var mbart = TokenizerFactory.Load(TokenizerFixture.ModelPath, "en_XX");
        var corpus = TokenizerFactory.Load(json, "en_XX");

        Assert.Equal(TokenizerFixture.Cases.LangCodeToId["en_XX"], mbart.Encode("regen")[^1]);
        Assert.Equal(corpus.LanguageId("en_XX"), corpus.Encode("regen")[^1]);
    }
}
