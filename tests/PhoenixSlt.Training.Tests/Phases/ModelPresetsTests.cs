using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Phases;

public class ModelPresetsTests
{
    [Theory]
    [InlineData("tiny", 2e-3)]   // the sweeps of docs/RESULTS.md
    [InlineData("small", 1e-3)]  // small's mBART got worse at 2e-3
    [InlineData("base", 1e-4)]   // the recipe's rate for the GPU preset
    [InlineData(" BASE ", 1e-4)]
    public void EncoderLearningRate_ByPreset(string preset, double expected)
        => Assert.Equal(expected, ModelPresets.EncoderLearningRate(preset));
}
