using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Decoding;

/// Reading Hugging Face generation_config.json files and resolving the effective settings as transformers 4.40 does.
public class GenerationConfigTests
{
    private static readonly ScriptedModel Model = new();

    [Fact]
    public void FromFile_FixtureGenerationConfig_ReadsSpecialTokensAndDefaults()
    {
        var config = GenerationConfig.FromFile(TestPaths.Fixture("mbart-tiny", "generation_config.json"));

        Assert.Equal([2], config.ForcedEosTokenId);
        Assert.Equal([2], config.EosTokenId);
        Assert.Equal(1, config.PadTokenId);
        Assert.Equal(0, config.BosTokenId);
        Assert.Null(config.DecoderStartTokenId);
        Assert.Equal(1, config.NumBeams);
        Assert.Equal(20, config.MaxLength);
        Assert.Equal(EarlyStopping.Heuristic, config.EarlyStopping);
    }

    [Theory]
    [InlineData("true", EarlyStopping.OnBeamsFinished)]
    [InlineData("false", EarlyStopping.Heuristic)]
    [InlineData("\"never\"", EarlyStopping.Never)]
    [InlineData("null", EarlyStopping.Heuristic)]
    public void FromJson_EarlyStopping_ReadsAllThreeForms(string json, EarlyStopping expected)
    {
        var config = GenerationConfig.FromJson($"{{\"early_stopping\": {json}}}", "test.json");

        Assert.Equal(expected, config.EarlyStopping);
        Assert.Equal(expected, GenerationConfig.FromJson(config.ToJson(), "round trip").EarlyStopping);
    }

    [Fact]
    public void FromJson_EosList_ReadsEveryId()
    {
        var config = GenerationConfig.FromJson("{\"eos_token_id\": [2, 5], \"num_beams\": 4, \"length_penalty\": 2, \"no_repeat_ngram_size\": 3}", "test.json");

        Assert.Equal([2, 5], config.EosTokenId);
        Assert.Equal(4, config.NumBeams);
        Assert.Equal(2.0, config.LengthPenalty);
        Assert.Equal(3, config.NoRepeatNgramSize);
    }

    [Fact]
    public void FromJson_InvalidEarlyStopping_NamesSourceAndField()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => GenerationConfig.FromJson("{\"early_stopping\": \"sometimes\"}", "gen.json"));

        Assert.Equal("gen.json", e.FilePath);
        Assert.Contains("early_stopping", e.Message);
    }

    [Fact]
    public void Resolve_MaxNewTokens_MaxLengthIsStartPlusNewTokens()
    {
        var settings = new GenerationConfig { MaxLength = 50, MaxNewTokens = 20, MinNewTokens = 3 }.Resolve(Model);

        Assert.Equal(21, settings.MaxLength);
        Assert.Equal(4, settings.MinLength);
    }

    [Fact]
    public void Resolve_NoMaxNewTokens_UsesMaxLength()
    {
        var settings = new GenerationConfig { MaxLength = 12, MinLength = 5 }.Resolve(Model);

        Assert.Equal(12, settings.MaxLength);
        Assert.Equal(5, settings.MinLength);
    }

    [Fact]
    public void Resolve_NullIds_TakeTheModelsAndStartFallsBackToBos()
    {
        var model = new NoStartModel();

        var settings = new GenerationConfig().Resolve(model);

        Assert.Equal(model.BosTokenId, settings.DecoderStartTokenId);
        Assert.Equal(model.PadTokenId, settings.PadTokenId);
        Assert.Equal([model.EosTokenId], settings.EosTokenIds);
        Assert.Empty(settings.ForcedEosTokenIds);
    }

    [Fact]
    public void Resolve_Sampling_RejectedWithAdvice()
    {
        var e = Assert.Throws<InvalidGenerationConfigException>(() => new GenerationConfig { DoSample = true }.Resolve(Model));

        Assert.Contains("do_sample", e.Message);
        Assert.Contains("num_beams", e.Message);
    }

    [Fact]
    public void Resolve_LongerThanModelPositions_SaysWhatToLower()
    {
        var e = Assert.Throws<InvalidGenerationConfigException>(() => new GenerationConfig { MaxNewTokens = Model.MaxDecoderPositions + 1 }.Resolve(Model));

        Assert.Contains($"{Model.MaxDecoderPositions}", e.Message);
        Assert.Contains("max_new_tokens", e.Message);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, 99)]
    public void Resolve_InvalidBeamsOrIds_Rejected(int beams, int? startId)
    {
        Assert.Throws<InvalidGenerationConfigException>(() => new GenerationConfig { NumBeams = beams, DecoderStartTokenId = startId }.Resolve(Model));
    }

    /// The scripted model without a decoder start token of its own.
    private sealed class NoStartModel : IIncrementalDecoderModel
    {
        public int VocabSize => 6;
        public int PadTokenId => 1;
        public int EosTokenId => 2;
        public int BosTokenId => 4;
        public int? DecoderStartTokenId => null;
        public int? ForcedEosTokenId => null;
        public int MaxDecoderPositions => 64;
        public TorchSharp.torch.Device Device => TorchSharp.torch.CPU;
        public TorchSharp.torch.Tensor Encode(TorchSharp.torch.Tensor? inputIds, TorchSharp.torch.Tensor? inputsEmbeds, TorchSharp.torch.Tensor? attentionMask) => throw new NotSupportedException();
        public IDecoderCache CreateCache() => throw new NotSupportedException();
        public TorchSharp.torch.Tensor DecodeStep(TorchSharp.torch.Tensor decoderInputIds, TorchSharp.torch.Tensor encoderHiddenStates, TorchSharp.torch.Tensor? encoderAttentionMask, IDecoderCache cache) => throw new NotSupportedException();
    }
}
