using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Phases;

public class ModelPresetsTests
{
    [Theory]
    [InlineData("tiny", TrainingPhase.Text, 3e-3)]   // tiny's dropout-free mBART on text alone (the text-phase sweep)
    [InlineData("tiny", TrainingPhase.Vlp, 1e-3)]
    [InlineData("tiny", TrainingPhase.Slt, 1e-3)]
    [InlineData("small", TrainingPhase.Text, 1e-3)]  // small's mBART got worse at 2e-3
    [InlineData("small", TrainingPhase.Slt, 1e-3)]
    [InlineData("base", TrainingPhase.Text, 1e-4)]   // the recipe's rate for the GPU preset, every phase
    [InlineData("BASE", TrainingPhase.Slt, 1e-4)]
    public void EncoderLearningRate_ByPresetAndPhase(string preset, TrainingPhase phase, double expected)
        => Assert.Equal(expected, ModelPresets.EncoderLearningRate(preset, phase));
}
