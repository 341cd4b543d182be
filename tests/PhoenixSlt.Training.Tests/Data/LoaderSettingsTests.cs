using PhoenixSlt.Training.Data;

namespace PhoenixSlt.Training.Tests.Data;

public sealed class LoaderSettingsTests
{
    [Fact]
    public void Resolve_Null_LeavesACoreToTheTrainerAndUsesAtMostTwoThreads()
    {
        int expected = Environment.ProcessorCount switch { <= 2 => 1, _ => 2 };
        Assert.Equal(expected, LoaderSettings.Resolve(null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Resolve_Explicit_IsKept(int workers) => Assert.Equal(workers, LoaderSettings.Resolve(workers));

    [Fact]
    public void Resolve_Negative_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<TrainingConfigurationException>(() => LoaderSettings.Resolve(-1));
        Assert.Contains("--loader-workers -1", error.Message);
    }
}
