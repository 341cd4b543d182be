using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// Parameter names, shapes and counts, checked against transformers' layout without allocating mbart-large-cc25.
public class MBartModelSizeTests
{
    /// Parameters of an mBART with tied embeddings counted once (final_logits_bias is a buffer):
    /// V·D shared + 2·(P+2)·D positions + 4·2D embedding/final norms
    /// + Le·(4(D²+D) + 2D + (D·F+F) + (F·D+D) + 2D) + Ld·(same + 4(D²+D) + 2D).
    private static long ExpectedParameters(long v, long d, long p, long f, long le, long ld)
    {
        long attention = 4 * (d * d + d);
        long ffn = d * f + f + f * d + d;
        long encoderLayer = attention + ffn + 2 * 2 * d;
        long decoderLayer = 2 * attention + ffn + 3 * 2 * d;
        return v * d + 2 * (p + 2) * d + 4 * 2 * d + le * encoderLayer + ld * decoderLayer;
    }

    [Fact]
    public void ExpectedParameters_TinyConfig_EqualsElementsOfReferenceCheckpoint()
    {
        // The formula is checked against the file transformers wrote (all weights minus the final_logits_bias buffer).
        var header = SafetensorsFile.ReadHeader(MBartTinyFixture.Folder + "/model.safetensors");
        long fileParameters = header.Tensors.Where(t => t.Name != "final_logits_bias").Sum(t => t.ElementCount);

        Assert.Equal(fileParameters, ExpectedParameters(v: 1027, d: 64, p: 128, f: 128, le: 2, ld: 2));
    }

    [Fact]
    public void Constructor_TinyPreset_CountsParametersLikeTheReferenceCheckpoint()
    {
        using var model = new MBartForConditionalGeneration(MBartConfig.Tiny);

        long count = model.parameters().Sum(p => p.numel());

        Assert.Equal(250_304, count); // elements of model.safetensors without final_logits_bias (1027)
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "final_logits_bias");
        Assert.Contains(model.named_buffers(), b => b.name == "final_logits_bias");
    }

    [Fact]
    public void Constructor_MBartLargeCc25OnMetaDevice_Has610851840ParametersWithoutAllocating()
    {
        using var model = new MBartForConditionalGeneration(MBartConfig.MBartLargeCc25, new Device(DeviceType.META));

        var parameters = model.named_parameters().ToList();
        long count = parameters.Sum(p => p.parameter.numel());

        // 250,027·1024 + 2·1026·1024 + 8·1024 + 12·12,596,224 (encoder layer) + 12·16,796,672 (decoder layer),
        // with an encoder layer = 4·(1024² + 1024) + 2·2048 + (1024·4096 + 4096) + (4096·1024 + 1024).
        Assert.Equal(610_851_840, count);
        Assert.Equal(ExpectedParameters(v: 250027, d: 1024, p: 1024, f: 4096, le: 12, ld: 12), count);
        Assert.All(parameters, p => Assert.Equal(DeviceType.META, p.parameter.device_type));
        // Tensors: shared + 2 position tables + 2×2 embedding/final norms (weight, bias) + 12 encoder layers × 16
        // (4 projections and 3 norms/linears × weight+bias) + 12 decoder layers × 26 (plus cross-attention and its norm).
        Assert.Equal(1 + 2 + 8 + 12 * 16 + 12 * 26, parameters.Count);
    }

    [Fact]
    public void StateDict_MBartLargeCc25OnMetaDevice_HasTransformersNamesAndShapes()
    {
        using var model = new MBartForConditionalGeneration(MBartConfig.MBartLargeCc25, new Device(DeviceType.META));

        var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        Assert.Equal([250027L, 1024L], shapes["model.shared.weight"]);
        Assert.Equal([250027L, 1024L], shapes["model.encoder.embed_tokens.weight"]);
        Assert.Equal([250027L, 1024L], shapes["model.decoder.embed_tokens.weight"]);
        Assert.Equal([1L, 250027L], shapes["final_logits_bias"]);
        Assert.Equal([1026L, 1024L], shapes["model.encoder.embed_positions.weight"]);
        Assert.Equal([1026L, 1024L], shapes["model.decoder.embed_positions.weight"]);
        Assert.Equal([1024L, 1024L], shapes["model.encoder.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([1024L], shapes["model.encoder.layers.11.self_attn.out_proj.bias"]);
        Assert.Equal([4096L, 1024L], shapes["model.decoder.layers.11.fc1.weight"]);
        Assert.Equal([1024L, 4096L], shapes["model.decoder.layers.5.fc2.weight"]);
        Assert.Equal([1024L, 1024L], shapes["model.decoder.layers.3.encoder_attn.k_proj.weight"]);
        Assert.Equal([1024L], shapes["model.decoder.layers.3.encoder_attn_layer_norm.weight"]);
        Assert.Equal([1024L], shapes["model.encoder.layernorm_embedding.bias"]);
        Assert.Equal([1024L], shapes["model.decoder.layer_norm.weight"]);
        Assert.DoesNotContain("model.encoder.layers.12.fc1.weight", shapes.Keys);
        Assert.DoesNotContain("lm_head.weight", shapes.Keys);
    }

    [Fact]
    public void SavedKeys_TinyModel_EqualTheKeysSavePretrainedWrote()
    {
        using var model = new MBartForConditionalGeneration(MBartConfig.Tiny);
        var fileKeys = SafetensorsFile.ReadHeader(MBartTinyFixture.Folder + "/model.safetensors").Names;

        var saved = MBartPretrained.StateDictForSaving(model).Select(kv => kv.Key);

        Assert.Equal(fileKeys.Order(StringComparer.Ordinal), saved.Order(StringComparer.Ordinal));
    }
}
