using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Data;
using PhoenixSlt.Core.Tests.Modules.MBart;
using PhoenixSlt.Core.Tests.Text;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Checkpoints;

/// Vocabulary trimming of the tiny mBART fixture: kept ids, equal logits on kept tokens, remapped tokenizer,
/// trimmed folder on disk.
public sealed class VocabularyTrimTests : IDisposable
{
    private static readonly Lazy<string[]> FixtureTexts = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("mbart-tiny", "expected.json")));
        var texts = doc.RootElement.GetProperty("texts");
        return [.. texts.GetProperty("a_src_texts").EnumerateArray().Concat(texts.GetProperty("b_tgt_texts").EnumerateArray()).Select(t => t.GetString()!)];
    });

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Sources => FixtureTexts.Value[..3];

    private static string[] Targets => FixtureTexts.Value[3..];

    private static MBartTokenizer Tokenizer => TokenizerFixture.Tokenizer;

    private static VocabularyTrimPlan PlanForFixtureTexts() => VocabularyTrimPlan.Build(Tokenizer, FixtureTexts.Value);

    private static Tensor Ids(TokenBatch batch, Func<int, int>? map = null)
        => torch.tensor(batch.InputIds.Select(id => map is null ? id : map((int)id)).ToArray(), [batch.BatchSize, batch.SequenceLength]);

    private static Tensor Map(Tensor ids, VocabularyTrimPlan plan)
        => torch.tensor(ids.data<long>().ToArray().Select(id => (long)plan.NewId((int)id)).ToArray(), ids.shape);

    private static Tensor Mask(TokenBatch batch) => torch.tensor(batch.AttentionMask, [batch.BatchSize, batch.SequenceLength]);

    [Fact]
    public void Build_FixtureTexts_KeepsSpecialsLanguageMaskAndEveryCorpusIdInAscendingOrder()
    {
        var plan = PlanForFixtureTexts();
        var corpusIds = FixtureTexts.Value.SelectMany(t => Tokenizer.Encode(t)).ToHashSet();

        Assert.Equal([0, 1, 2, 3], plan.KeptIds.Take(4));
        Assert.Equal(Tokenizer.MaskId, plan.KeptIds[^1]);
        Assert.True(plan.Keeps(Tokenizer.LanguageId("de_DE")));
        Assert.False(plan.Keeps(Tokenizer.LanguageId("en_XX")));
        Assert.All(corpusIds, id => Assert.True(plan.Keeps(id)));
        // nothing else: corpus ids ∪ {0..3, <mask>, de_DE}
        Assert.Equal(corpusIds.Union([0, 1, 2, 3, Tokenizer.MaskId, Tokenizer.LanguageId("de_DE")]).Order(), plan.KeptIds);
        Assert.True(plan.KeptIds.Zip(plan.KeptIds.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(Tokenizer.VocabSize, plan.OriginalVocabSize);
    }

    [Fact]
    public void Build_RequestedLanguages_AreKept()
    {
        var plan = VocabularyTrimPlan.Build(Tokenizer, ["am montag"], ["en_XX", "fr_XX"]);

        Assert.True(plan.Keeps(Tokenizer.LanguageId("en_XX")));
        Assert.True(plan.Keeps(Tokenizer.LanguageId("fr_XX")));
        Assert.True(plan.Keeps(Tokenizer.LanguageId("de_DE")));
    }

    [Fact]
    public void Build_UnknownLanguage_ListsTheValidCodes()
    {
        var e = Assert.Throws<ArgumentException>(() => VocabularyTrimPlan.Build(Tokenizer, ["am montag"], ["xx_YY"]));

        Assert.Contains("xx_YY", e.Message);
        Assert.Contains("de_DE", e.Message);
    }

    [Fact]
    public void FromKeptIds_IdOutsideVocabulary_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VocabularyTrimPlan.FromKeptIds([5, 1027], 1027));
    }

    [Fact]
    public void TrimModel_FixtureTexts_LogitsOnKeptTokensEqualTheUntrimmedModel()
    {
        var plan = PlanForFixtureTexts();
        using var trimmed = VocabularyTrimmer.TrimModel(MBartTinyFixture.Model, plan);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = Tokenizer.EncodeBatch(Sources);
        var target = Tokenizer.EncodeBatch(Targets);
        var labels = Ids(target);
        var decoderInput = MBartLoss.ShiftTokensRight(labels, 1);

        var full = MBartTinyFixture.Model.call(new MBartInputs { InputIds = Ids(source), AttentionMask = Mask(source), DecoderInputIds = decoderInput });
        var small = trimmed.call(new MBartInputs
        {
            InputIds = Ids(source, plan.NewId),
            AttentionMask = Mask(source),
            DecoderInputIds = Map(decoderInput, plan),
        });
        var keptColumns = torch.tensor(plan.KeptIds.Select(id => (long)id).ToArray());

        Assert.Equal([3L, target.SequenceLength, plan.VocabSize], small.Logits.shape);
        TensorAssert.Close(full.Logits.index_select(2, keptColumns), small.Logits, 1e-5, "logits at kept ids");
        TensorAssert.Close(full.Encoder.LastHiddenState, small.Encoder.LastHiddenState, 1e-5, "encoder output");
    }

    [Fact]
    public void TrimModel_Config_HasTheKeptVocabularySizeAndSpecialIds()
    {
        var plan = PlanForFixtureTexts();
        using var trimmed = VocabularyTrimmer.TrimModel(MBartTinyFixture.Model, plan);

        Assert.Equal(plan.VocabSize, trimmed.Config.VocabSize);
        Assert.Equal((0, 1, 2, 2), (trimmed.Config.BosTokenId, trimmed.Config.PadTokenId, trimmed.Config.EosTokenId, trimmed.Config.ForcedEosTokenId));
        Assert.Equal([(long)plan.VocabSize, 64], trimmed.Model.Shared.weight!.shape);
        Assert.Equal([1L, plan.VocabSize], trimmed.FinalLogitsBias.shape);
        Assert.False(trimmed.training);
    }

    [Fact]
    public void TrimConfig_DecoderStartLanguage_IsRenumbered()
    {
        var plan = PlanForFixtureTexts();
        int deDe = Tokenizer.LanguageId("de_DE");

        var config = VocabularyTrimmer.TrimConfig(MBartConfig.Tiny with { DecoderStartTokenId = deDe }, plan);

        Assert.Equal(plan.NewId(deDe), config.DecoderStartTokenId);
        Assert.Equal(deDe, plan.KeptIds[config.DecoderStartTokenId!.Value]);
    }

    [Fact]
    public void TrimmedTokenizer_FixtureTexts_EncodeToMappedIdsAndRoundTrip()
    {
        var plan = PlanForFixtureTexts();
        var trimmed = TrimmedTokenizer.Create(Tokenizer, plan);

        foreach (string text in FixtureTexts.Value)
        {
            var ids = trimmed.Encode(text);
            Assert.Equal(Tokenizer.Encode(text).Select(plan.NewId), ids);
            Assert.Equal(text, trimmed.Decode(ids));
            Assert.DoesNotContain(trimmed.UnkId, ids);
        }
    }

    [Fact]
    public void TrimmedTokenizer_Layout_IsSpecialsPiecesLanguagesMask()
    {
        var plan = VocabularyTrimPlan.Build(Tokenizer, FixtureTexts.Value, ["en_XX"]);
        var trimmed = TrimmedTokenizer.Create(Tokenizer, plan);

        Assert.Equal(plan.VocabSize, trimmed.VocabSize);
        Assert.Equal(["de_DE", "en_XX"], trimmed.LanguageCodes);
        Assert.Equal(plan.VocabSize - 3, trimmed.LanguageId("de_DE"));
        Assert.Equal(plan.VocabSize - 1, trimmed.MaskId);
        Assert.Equal("<mask>", trimmed.IdToToken(trimmed.MaskId));
        Assert.Equal("en_XX", trimmed.IdToToken(plan.VocabSize - 2));
        Assert.True(trimmed.IsSpecial(trimmed.MaskId));
        Assert.False(trimmed.IsSpecial(4));
        Assert.Equal(Tokenizer.IdToToken(plan.KeptIds[4]), trimmed.IdToToken(4));
        Assert.Throws<ArgumentException>(() => trimmed.LanguageId("fr_XX"));
    }

    [Fact]
    public void TrimmedTokenizer_PiecesTrimmedAway_BecomeUnknown()
    {
        var plan = VocabularyTrimPlan.Build(Tokenizer, ["am montag"]);
        var trimmed = TrimmedTokenizer.Create(Tokenizer, plan);
        string text = "am montag regnet es im norden";
        var original = Tokenizer.Encode(text);

        var ids = trimmed.Encode(text);

        Assert.Equal(original.Count, ids.Count);
        for (int i = 0; i < ids.Count; i++)
            Assert.Equal(plan.Keeps(original[i]) ? plan.NewId(original[i]) : trimmed.UnkId, ids[i]);
        Assert.Contains(trimmed.UnkId, ids);
        Assert.Equal("am montag", trimmed.Decode(ids));
    }

    [Fact]
    public void TrimmedTokenizer_SaveThenLoad_GivesTheSameIds()
    {
        var trimmed = TrimmedTokenizer.Create(Tokenizer, PlanForFixtureTexts());

        string mapping = trimmed.SaveTo(_dir.Path);
        var loaded = CheckpointTokenizer.Load(_dir.Path);

        Assert.Equal(Path.Combine(_dir.Path, "vocab_trim.json"), mapping);
        Assert.True(File.Exists(_dir.File("sentencepiece.bpe.model")));
        Assert.IsType<TrimmedTokenizer>(loaded);
        foreach (string text in FixtureTexts.Value)
            Assert.Equal(trimmed.Encode(text), loaded.Encode(text));
        Assert.Equal(trimmed.VocabSize, loaded.VocabSize);
    }

    [Fact]
    public void TokenizerFactoryLoad_TrimmedFolder_GivesTrimmedIdsNotTheUntrimmedModel()
    {
        var trimmed = TrimmedTokenizer.Create(Tokenizer, PlanForFixtureTexts());
        trimmed.SaveTo(_dir.Path);

        var loaded = TokenizerFactory.Load(_dir.Path);

        Assert.IsType<TrimmedTokenizer>(loaded);
        Assert.Equal(trimmed.VocabSize, loaded.VocabSize);
        Assert.True(loaded.VocabSize < Tokenizer.VocabSize);
        foreach (string text in FixtureTexts.Value)
            Assert.Equal(trimmed.Encode(text), loaded.Encode(text));
    }

    [Fact]
    public void CheckpointTokenizerLoad_MappingFileUnderAnotherName_IsRecognisedByItsType()
    {
        var trimmed = TrimmedTokenizer.Create(Tokenizer, PlanForFixtureTexts());
        string mapping = trimmed.SaveTo(_dir.Path);
        string renamed = _dir.File("my-vocab.json");
        File.Move(mapping, renamed);

        var loaded = CheckpointTokenizer.Load(renamed);

        Assert.IsType<TrimmedTokenizer>(loaded);
        Assert.Equal(trimmed.Encode(Targets[0]), loaded.Encode(Targets[0]));
        Assert.IsType<MBartTokenizer>(CheckpointTokenizer.Load(_dir.Path)); // without vocab_trim.json: the plain model
    }

    [Fact]
    public void CheckpointStoreSave_TrimmedTokenizer_IsNamedInTheMetadataAndLoadsBack()
    {
        var trimmed = TrimmedTokenizer.Create(Tokenizer, PlanForFixtureTexts());
        using var trimmedModel = VocabularyTrimmer.TrimModel(MBartTinyFixture.Model, trimmed.Plan);
        var store = new CheckpointStore(_dir.File("checkpoints"));

        string folder = store.Save("slt/best", new CheckpointContent(CheckpointMetadata.Create(CheckpointPhase.Slt, trimmedModel.Config),
            MBartPretrained.StateDictForSaving(trimmedModel)) { Tokenizer = trimmed });
        var loaded = CheckpointStore.LoadTokenizer(folder);

        Assert.Equal("vocab_trim.json", CheckpointStore.LoadMetadata(folder).TokenizerFile);
        Assert.IsType<TrimmedTokenizer>(loaded);
        Assert.Equal(trimmed.Encode(Targets[1]), loaded.Encode(Targets[1]));
        Assert.Equal(trimmed.VocabSize, CheckpointStore.LoadMetadata(folder).ReadModelConfig<MBartConfig>().VocabSize);
    }

    [Theory]
    [InlineData("{ \"type\": \"something-else\" }", "not a trimmed-vocabulary mapping")]
    [InlineData("not json", "not a valid trimmed-vocabulary mapping")]
    [InlineData("{ \"type\": \"phoenix-slt-trimmed-vocab\", \"format_version\": 1, \"base_tokenizer\": \"sentencepiece.bpe.model\", \"original_vocab_size\": 1027, \"vocab_size\": 3, \"default_language\": \"de_DE\", \"kept_ids\": [2, 1, 0] }", "strictly ascending")]
    [InlineData("{ \"type\": \"phoenix-slt-trimmed-vocab\", \"format_version\": 1, \"base_tokenizer\": \"sentencepiece.bpe.model\", \"original_vocab_size\": 1027, \"vocab_size\": 5, \"default_language\": \"de_DE\", \"kept_ids\": [0, 1, 2, 3, 1003] }", "<mask>")]
    [InlineData("{ \"type\": \"phoenix-slt-trimmed-vocab\", \"format_version\": 1, \"base_tokenizer\": \"sentencepiece.bpe.model\", \"original_vocab_size\": 999, \"vocab_size\": 4, \"default_language\": \"de_DE\", \"kept_ids\": [0, 1, 2, 3] }", "999")]
    [InlineData("{ \"type\": \"phoenix-slt-trimmed-vocab\", \"format_version\": 1, \"base_tokenizer\": \"../x.model\", \"original_vocab_size\": 1027, \"vocab_size\": 4, \"default_language\": \"de_DE\", \"kept_ids\": [0, 1, 2, 3] }", "base_tokenizer")]
    public void TrimmedTokenizerLoad_BadMapping_NamesTheFileAndTheProblem(string json, string problem)
    {
        File.Copy(TokenizerFixture.ModelPath, _dir.File("sentencepiece.bpe.model"));
        string path = _dir.Write("vocab_trim.json", json);

        var e = Assert.Throws<PhoenixDataException>(() => TrimmedTokenizer.Load(_dir.Path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void TrimFolder_FixtureModel_WritesAReloadableFolderWithEqualLogits()
    {
        string output = _dir.File("trimmed");

        var report = VocabularyTrimmer.TrimFolder(MBartTinyFixture.Folder, FixtureTexts.Value, output);
        var (model, loadReport) = MBartPretrained.Load(output);
        using var _ = model;
        var tokenizer = CheckpointTokenizer.Load(output);
        var metadata = CheckpointStore.LoadMetadata(output);
        var plan = PlanForFixtureTexts();

        Assert.True(loadReport.IsComplete);
        Assert.Equal(plan.VocabSize, report.KeptVocabSize);
        Assert.Equal(plan.VocabSize, model.Config.VocabSize);
        Assert.Equal(plan.VocabSize, tokenizer.VocabSize);
        Assert.IsType<TrimmedTokenizer>(tokenizer);
        Assert.Equal(CheckpointPhase.MBart, metadata.Phase);
        Assert.Equal("vocab_trim.json", metadata.TokenizerFile);
        Assert.Equal(MBartTinyFixture.Folder, metadata.ParentCheckpoint);
        Assert.Equal(plan.VocabSize, metadata.ReadModelConfig<MBartConfig>().VocabSize);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var original = Tokenizer.EncodeBatch(Sources);
        var mapped = tokenizer.EncodeBatch(Sources);
        var fullDecoder = torch.tensor(new long[] { 2, Tokenizer.LanguageId("de_DE"), 2, Tokenizer.LanguageId("de_DE"), 2, Tokenizer.LanguageId("de_DE") }, [3, 2]);
        var decoderIds = Map(fullDecoder, plan);
        Assert.Equal(original.InputIds.Select(id => (long)plan.NewId((int)id)), mapped.InputIds);
        var full = MBartTinyFixture.Model.call(new MBartInputs { InputIds = Ids(original), AttentionMask = Mask(original), DecoderInputIds = fullDecoder }).Logits;
        var small = model.call(new MBartInputs { InputIds = Ids(mapped), AttentionMask = Mask(mapped), DecoderInputIds = decoderIds }).Logits;
        var keptColumns = torch.tensor(plan.KeptIds.Select(id => (long)id).ToArray());
        TensorAssert.Close(full.index_select(2, keptColumns), small, 1e-5, "logits at kept ids");
    }

    [Fact]
    public void TrimFolder_Report_CountsParametersWithTheTiedEmbeddingOnce()
    {
        var report = VocabularyTrimmer.TrimFolder(MBartTinyFixture.Folder, FixtureTexts.Value, _dir.File("trimmed"));
        long all = MBartTinyFixture.Model.parameters().Sum(p => p.numel()); // module parameters: shared once, no buffers

        Assert.Equal(all, report.OriginalParameters);
        Assert.Equal((long)(1027 - report.KeptVocabSize) * 64, report.SavedParameters);
        Assert.Equal(1027, report.OriginalVocabSize);
        Assert.Equal(["de_DE"], report.KeptLanguages);
        Assert.Equal(report.KeptVocabSize - 4 - 1 - 1, report.KeptPieces);
        Assert.Equal(6, report.Sentences);
        Assert.Equal(0, report.UnknownTokens);
    }

    [Fact]
    public void TrimFolder_ConfigJson_KeepsOtherKeysAndRenumbersTokenIds()
    {
        string source = _dir.File("source");
        Directory.CreateDirectory(source);
        foreach (string file in new[] { "model.safetensors", "sentencepiece.bpe.model" })
            File.Copy(Path.Combine(MBartTinyFixture.Folder, file), Path.Combine(source, file));
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(MBartTinyFixture.Folder, "config.json")))!;
        var withStart = config.ToDictionary(kv => kv.Key, kv => (object)kv.Value);
        withStart["decoder_start_token_id"] = 1003; // de_DE, as a fine-tuned checkpoint would name it
        withStart["architectures"] = new[] { "MBartForConditionalGeneration" };
        File.WriteAllText(Path.Combine(source, "config.json"), JsonSerializer.Serialize(withStart));
        File.WriteAllText(Path.Combine(source, "generation_config.json"), "{ \"decoder_start_token_id\": 1003, \"forced_bos_token_id\": 1004, \"eos_token_id\": [2], \"num_beams\": 4 }");

        var report = VocabularyTrimmer.TrimFolder(source, ["am montag"], _dir.File("trimmed"));

        using var written = JsonDocument.Parse(File.ReadAllText(_dir.File("trimmed", "config.json")));
        using var generation = JsonDocument.Parse(File.ReadAllText(_dir.File("trimmed", "generation_config.json")));
        var tokenizer = CheckpointTokenizer.Load(_dir.File("trimmed"));
        Assert.Equal(report.KeptVocabSize, written.RootElement.GetProperty("vocab_size").GetInt32());
        Assert.Equal(tokenizer.LanguageId("de_DE"), written.RootElement.GetProperty("decoder_start_token_id").GetInt32());
        Assert.Equal("MBartForConditionalGeneration", written.RootElement.GetProperty("architectures")[0].GetString());
        Assert.Equal(tokenizer.LanguageId("de_DE"), generation.RootElement.GetProperty("decoder_start_token_id").GetInt32());
        Assert.Equal(tokenizer.LanguageId("en_XX"), generation.RootElement.GetProperty("forced_bos_token_id").GetInt32());
        Assert.Equal(2, generation.RootElement.GetProperty("eos_token_id")[0].GetInt32());
        Assert.Equal(4, generation.RootElement.GetProperty("num_beams").GetInt32());
        Assert.Equal(["de_DE", "en_XX"], report.KeptLanguages);
    }

    [Fact]
    public void TrimFolder_OutputExists_IsRefusedUnlessOverwriting()
    {
        string output = _dir.File("trimmed");
        Directory.CreateDirectory(output);

        Assert.Throws<CheckpointExistsException>(() => VocabularyTrimmer.TrimFolder(MBartTinyFixture.Folder, ["am montag"], output));
        VocabularyTrimmer.TrimFolder(MBartTinyFixture.Folder, ["am montag"], output, overwrite: true);
        Assert.True(File.Exists(Path.Combine(output, "vocab_trim.json")));
    }

    [Fact]
    public void TrimFolder_AlreadyTrimmedSource_AsksForTheOriginal()
    {
        string once = _dir.File("once");
        VocabularyTrimmer.TrimFolder(MBartTinyFixture.Folder, ["am montag"], once);

        var e = Assert.Throws<CheckpointFormatException>(() => VocabularyTrimmer.TrimFolder(once, ["am montag"], _dir.File("twice")));

        Assert.Contains("already trimmed", e.Message);
    }

    [Fact]
    public void TrimFolder_NoSentencePieceModel_NamesTheFolder()
    {
        string source = _dir.File("source");
        Directory.CreateDirectory(source);
        File.Copy(Path.Combine(MBartTinyFixture.Folder, "config.json"), Path.Combine(source, "config.json"));
        File.Copy(Path.Combine(MBartTinyFixture.Folder, "model.safetensors"), Path.Combine(source, "model.safetensors"));

        var e = Assert.Throws<CheckpointFormatException>(() => VocabularyTrimmer.TrimFolder(source, ["am montag"], _dir.File("out")));

        Assert.Equal(source, e.FilePath);
        Assert.Contains("sentencepiece.bpe.model", e.Message);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void TrimFolder_TokenizerOfAnotherVocabulary_IsRefused()
    {
        string source = _dir.File("source");
        Directory.CreateDirectory(source);
        File.Copy(Path.Combine(MBartTinyFixture.Folder, "sentencepiece.bpe.model"), Path.Combine(source, "sentencepiece.bpe.model"));
        File.Copy(Path.Combine(MBartTinyFixture.Folder, "model.safetensors"), Path.Combine(source, "model.safetensors"));
        File.WriteAllText(Path.Combine(source, "config.json"), (MBartConfig.Tiny with { VocabSize = 2000 }).ToJson());

        var e = Assert.Throws<CheckpointFormatException>(() => VocabularyTrimmer.TrimFolder(source, ["am montag"], _dir.File("out")));

        Assert.Contains("vocab_size 2000", e.Message);
    }
}
