namespace PhoenixSlt.Training.Tests;

public sealed class DeviceSelectionTests
{
    [Theory]
    [InlineData("cpu", 0)]
    [InlineData(" CPU ", 2)]
    public void Parse_Cpu_IsTheCpu(string text, int cudaDevices)
    {
        var device = DeviceSelection.Parse(text, cudaDevices);

        Assert.False(device.IsCuda);
        Assert.Equal("cpu", device.ToString());
    }

    [Theory]
    [InlineData("cuda", 1, 0)]
    [InlineData("cuda:0", 1, 0)]
    [InlineData("CUDA:3", 4, 3)]
    public void Parse_CudaWithDevices_PicksTheIndex(string text, int cudaDevices, int index)
    {
        var device = DeviceSelection.Parse(text, cudaDevices);

        Assert.True(device.IsCuda);
        Assert.Equal(index, device.Index);
        Assert.Equal($"cuda:{index}", device.ToString());
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void Parse_CudaWithoutCuda_SaysCudaIsNotAvailable(string text)
    {
        var e = Assert.Throws<TrainingConfigurationException>(() => DeviceSelection.Parse(text, 0));

        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }

    [Fact]
    public void Parse_IndexBeyondDevices_NamesTheValidDevices()
    {
        var e = Assert.Throws<TrainingConfigurationException>(() => DeviceSelection.Parse("cuda:2", 2));

        Assert.Contains("cuda:0 … cuda:1", e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Parse_NotADevice_Throws(string text)
    {
        var e = Assert.Throws<TrainingConfigurationException>(() => DeviceSelection.Parse(text, 1));

        Assert.Contains("use cpu, cuda or cuda:N", e.Message);
    }

    [Fact]
    public void Parse_ThisMachine_CpuAlwaysWorks()
        => Assert.Equal(DeviceSelection.Cpu, DeviceSelection.Parse("cpu"));
}
