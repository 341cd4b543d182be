using PhoenixSlt.Core.Text;

namespace PhoenixSlt.Core.Tests.Text;

public sealed class GlossVocabularyTests
{
    [Fact]
    public void Build_BlankUnknownThenGlossesInOrdinalOrder()
    {
        var glosses = GlossVocabulary.Build(["REGEN NORD", "SONNE  REGEN", ""]);

        Assert.Equal(5, glosses.Size);                                  // <blank>, <unk>, NORD, REGEN, SONNE
        Assert.Equal([3, 2], glosses.Encode("REGEN NORD"));
        Assert.Equal([4, 1], glosses.Encode("SONNE WIND"));              // an unseen gloss is unknown
        Assert.Equal("REGEN SONNE", glosses.Decode([0, 3, 0, 4]));       // blanks are not glosses
    }

    [Fact]
    public void SaveLoad_RoundTrips()
    {
        string folder = Directory.CreateTempSubdirectory("gloss-vocab").FullName;
        try
        {
            GlossVocabulary.Build(["A B", "C"]).Save(folder);

            var loaded = GlossVocabulary.Load(folder)!;

            Assert.Equal(5, loaded.Size);
            Assert.Equal([2, 3, 4], loaded.Encode("A B C"));
            Assert.Null(GlossVocabulary.Load(Path.Combine(folder, "missing")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
