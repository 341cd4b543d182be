using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class SignTranslationModelTrainingTests
{
    [Fact]
    public void Adam_TwoSampleBatch_OverfitsAndGreedyDecodingReproducesTheTargets()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt(labelSmoothing: 0.0));
        var tokenizer = ModelTestData.Tokenizer;
        var (labels, _, _) = ModelTestData.Tokens(ModelTestData.Sentences);
        var inputs = new SltInputs(ModelTestData.TwoClips(), labels);
        var groups = model.ParameterGroups();
        using var optimizer = optim.Adam(groups.SelectMany(g => g.Parameters), lr: 3e-3);

        float first = 0, last = 0;
        model.train();
        for (int step = 0; step < 80; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = model.call(inputs).Loss!;
            loss.backward();
            optimizer.step();
            if (step == 0)
                first = loss.item<float>();
            last = loss.item<float>();
        }

        Assert.True(last < first / 20, $"loss went from {first} to {last} only");
        int deDe = tokenizer.LanguageId("de_DE");
        var config = GenerationConfig.FromModel(model) with { DecoderStartTokenId = deDe, MaxNewTokens = 24 };
        using var generated = model.Generate(inputs.Visual, config);
        for (int b = 0; b < ModelTestData.Sentences.Length; b++)
        {
            // the generator emits "de_DE text </s>", the labels are "text </s> de_DE"
            var target = tokenizer.Encode(ModelTestData.Sentences[b]).Select(id => (long)id).SkipLast(1).Prepend(deDe);
            Assert.Equal(target, generated.Sequences[b].Take(target.Count()));
            Assert.Equal(ModelTestData.Sentences[b], tokenizer.Decode(generated.Sequences[b].Select(id => (int)id)));
        }
    }
}
