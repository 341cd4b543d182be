using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Phases;

/// Which mBART folders count as pretrained weights (the decoder then trains at the recipe's 5e-6).
public sealed class MBartPretrainedWeightsTests
{
    [Fact]
    public void HuggingFaceFolder_WithoutCheckpointJson_IsPretrained()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("config.json"), "{}");

        Assert.True(MBartPretrainedWeights.AreFromPretrainedMBart(temp.Path));
    }

    [Theory]
    [InlineData(null, false)]     // a text run from scratch: our small mBART still has to learn
    [InlineData("hf", true)]      // a text run that started from Hugging Face weights
    public void TextCheckpoint_IsPretrainedOnlyWhenItsRunStartedFromPretrainedWeights(string? source, bool expected)
    {
        using var temp = new TempFolder();
        string hf = Directory.CreateDirectory(temp.Combine("hf")).FullName;
        string text = Directory.CreateDirectory(temp.Combine("text")).FullName;
        new CheckpointMetadata { Phase = CheckpointPhase.Text, ModelConfig = System.Text.Json.JsonSerializer.SerializeToElement(new { d_model = 64 }) }.Save(text);
        new TrainingRecipe { Phase = "text", MBart = source is null ? null : hf }.Save(text);

        Assert.Equal(expected, MBartPretrainedWeights.AreFromPretrainedMBart(text));
    }
}
