using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Tests;
using TorchSharp;
using static TorchSharp.torch;
using static PhoenixSlt.Core.Tests.Modules.MBart.MBartTinyFixture;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// Loading a Hugging Face mBART folder: tied weights, missing/unexpected keys, shape mismatches, saving.
public class MBartPretrainedTests
{
    private static string CopyFixtureWithout(string folder, params string[] dropped)
    {
        var tensors = SafetensorsFile.Load(Path.Combine(Folder, "model.safetensors"));
        foreach (string name in dropped)
            tensors.Remove(name);
        File.Copy(Path.Combine(Folder, "config.json"), Path.Combine(folder, "config.json"));
        SafetensorsFile.Save(Path.Combine(folder, "model.safetensors"), tensors);
        return folder;
    }

    [Fact]
    public void Load_FixtureFolder_RestoresTheThreeTiedCopiesAndLoadsEveryFileTensor()
    {
        var report = Report;

        Assert.Equal(96, report.Loaded.Count);
        Assert.Equal(["lm_head.weight", "model.decoder.embed_tokens.weight", "model.encoder.embed_tokens.weight"], report.TiedAliases.Order(StringComparer.Ordinal));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Empty(report.Defaulted);
        Assert.False(Model.training);
        Assert.Equal(Path.Combine(Folder, "sentencepiece.bpe.model"), MBartPretrained.FindTokenizer(Folder));
    }

    [Fact]
    public void Load_FixtureFolder_SharedEmbeddingIsTheEncoderDecoderAndHeadWeight()
    {
        var state = Model.state_dict();
        using var reference = SafetensorsFile.Load(Path.Combine(Folder, "model.safetensors"))["model.shared.weight"];

        TensorAssert.Equal(reference, state["model.encoder.embed_tokens.weight"], "encoder embed_tokens");
        Assert.Equal(state["model.shared.weight"].Handle, state["model.encoder.embed_tokens.weight"].Handle);
        Assert.Equal(state["model.shared.weight"].Handle, state["model.decoder.embed_tokens.weight"].Handle);
    }

    [Fact]
    public void Load_FinalLogitsBiasLoaded_IsNotZero()
    {
        // The fixture set final_logits_bias to 0.05·N(0,1) so that ignoring it is detectable.
        using var absMax = Model.FinalLogitsBias.abs().max();
        Assert.True(absMax.item<float>() > 0.05f);
    }

    [Fact]
    public void Save_ThenLoad_GivesTheSameLogitsAndTheKeysOfSavePretrained()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        MBartPretrained.Save(Model, dir.Path);
        var (reloaded, report) = MBartPretrained.Load(dir.Path);
        using var _ = reloaded;
        var inputs = new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), DecoderInputIds = Expected("b_decoder_input_ids") };

        TensorAssert.Close(Model.call(inputs).Logits, reloaded.call(inputs).Logits, 0, "logits after save/load");
        Assert.True(report.IsComplete);
        Assert.Equal(SafetensorsFile.ReadHeader(Path.Combine(Folder, "model.safetensors")).Names.Order(StringComparer.Ordinal),
            SafetensorsFile.ReadHeader(Path.Combine(dir.Path, "model.safetensors")).Names.Order(StringComparer.Ordinal));
        Assert.Equal(MBartConfig.Tiny, MBartConfig.FromFile(Path.Combine(dir.Path, "config.json")));
    }

    [Fact]
    public void Load_TensorMissing_StrictNamesItAndTheFile()
    {
        using var dir = new TempFolder();
        CopyFixtureWithout(dir.Path, "model.decoder.layers.1.fc2.weight");

        var e = Assert.Throws<CheckpointFormatException>(() => MBartPretrained.Load(dir.Path));

        Assert.Equal(Path.Combine(dir.Path, "model.safetensors"), e.FilePath);
        Assert.StartsWith("1 tensor(s) the model needs are missing: model.decoder.layers.1.fc2.weight.", e.Problem);
    }

    [Fact]
    public void Load_TensorMissingNotStrict_ReportsItAndLoadsTheRest()
    {
        using var dir = new TempFolder();
        CopyFixtureWithout(dir.Path, "model.decoder.layers.1.fc2.weight");

        var (model, report) = MBartPretrained.Load(dir.Path, strict: false);
        using var _ = model;

        Assert.Equal(["model.decoder.layers.1.fc2.weight"], report.Missing);
        Assert.Equal(95, report.Loaded.Count);
        Assert.Contains("missing: model.decoder.layers.1.fc2.weight", report.Summary);
    }

    [Fact]
    public void Load_FinalLogitsBiasMissing_DefaultsToZeroLikeTransformers()
    {
        using var dir = new TempFolder();
        CopyFixtureWithout(dir.Path, "final_logits_bias");

        var (model, report) = MBartPretrained.Load(dir.Path);
        using var _ = model;

        Assert.Equal(["final_logits_bias"], report.Defaulted);
        Assert.True(report.IsComplete);
        using var absMax = model.FinalLogitsBias.abs().max();
        Assert.Equal(0f, absMax.item<float>());
    }

    [Fact]
    public void Load_UnexpectedTensorAndLmHeadCopy_StrictRejectsOnlyTheUnknownOne()
    {
        using var dir = new TempFolder();
        var tensors = SafetensorsFile.Load(Path.Combine(Folder, "model.safetensors"));
        tensors["lm_head.weight"] = tensors["model.shared.weight"];
        tensors["model.encoder.layers.2.fc1.weight"] = zeros(128, 64);
        File.Copy(Path.Combine(Folder, "config.json"), Path.Combine(dir.Path, "config.json"));
        SafetensorsFile.Save(Path.Combine(dir.Path, "model.safetensors"), tensors);

        var e = Assert.Throws<CheckpointFormatException>(() => MBartPretrained.Load(dir.Path));
        var (model, report) = MBartPretrained.Load(dir.Path, strict: false);
        using var _ = model;

        Assert.StartsWith("1 tensor(s) have no place in an mBART model with 2+2 layers: model.encoder.layers.2.fc1.weight.", e.Problem);
        Assert.Equal(["model.encoder.layers.2.fc1.weight"], report.Unexpected);
        Assert.DoesNotContain("lm_head.weight", report.TiedAliases);
    }

    [Fact]
    public void Load_ConfigOfOtherVocabulary_NamesTensorAndBothShapes()
    {
        using var dir = new TempFolder();
        CopyFixtureWithout(dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), File.ReadAllText(Path.Combine(Folder, "config.json")).Replace("\"vocab_size\": 1027", "\"vocab_size\": 1000"));

        var e = Assert.Throws<CheckpointFormatException>(() => MBartPretrained.Load(dir.Path));

        Assert.Contains("tensor 'model.shared.weight' has shape [1027, 64] but the model expects [1000, 64]", e.Message);
    }

    [Fact]
    public void Load_FolderWithoutConfig_SaysConfigJsonIsNeeded()
    {
        using var dir = new TempFolder();

        var e = Assert.Throws<CheckpointFormatException>(() => MBartPretrained.Load(dir.Path));

        Assert.Equal(Path.Combine(dir.Path, "config.json"), e.FilePath);
        Assert.Contains("file not found", e.Problem);
    }

    [Fact]
    public void Load_AsFloat64_SharedWeightStaysTiedAndLogitsMatchReference()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (model, _) = MBartPretrained.Load(Folder, dtype: ScalarType.Float64);
        using var __ = model;
        var state = model.state_dict();

        var logits = model.call(new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), DecoderInputIds = Expected("b_decoder_input_ids") }).Logits;

        Assert.Equal(ScalarType.Float64, logits.dtype);
        Assert.Equal(state["model.shared.weight"].Handle, state["model.decoder.embed_tokens.weight"].Handle);
        TensorAssert.Close(Expected("b_logits"), logits, 2e-4, "float64 logits");
    }

    [Fact]
    public void ToFloat64_AfterLoading_KeepsEmbeddingsTiedAndMovesTheBias()
    {
        using var model = LoadFresh();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        model.to(ScalarType.Float64);
        var state = model.state_dict();
        var logits = model.call(new MBartInputs { InputIds = Expected("a_input_ids"), AttentionMask = Expected("a_attention_mask"), DecoderInputIds = Expected("b_decoder_input_ids") }).Logits;

        Assert.Equal(state["model.shared.weight"].Handle, state["model.encoder.embed_tokens.weight"].Handle);
        Assert.Equal(ScalarType.Float64, model.FinalLogitsBias.dtype);
        TensorAssert.Close(Expected("b_logits"), logits, 2e-4, "logits after to(float64)");
    }

    /// A temporary folder deleted on Dispose.
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = TestPaths.NewTempDir("phoenix-mbart");

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
