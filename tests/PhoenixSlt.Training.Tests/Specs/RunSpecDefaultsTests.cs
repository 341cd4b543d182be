using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Training.Tests.Specs;

public sealed class RunSpecDefaultsTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData(null)]
    [InlineData("  CPU ")]
    public void For_Cpu_GreedyValidationAndFewEpochs(string? device)
    {
        var spec = RunSpecDefaults.For(device);

        Assert.Equal((1, 2), (spec.Beams, spec.Epochs));
        Assert.Equal(2, spec.EffectiveEpochs);
        Assert.True(spec.Beams < new RunSpec().Beams && spec.EffectiveEpochs < RunSpec.DefaultEpochs, "the CPU defaults are cheaper than RunSpec's");
        var problems = spec.Validate(SpecContext.ValuesOnly);
        Assert.Null(problems.FirstFor("beams"));
        Assert.Null(problems.FirstFor("epochs"));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    public void For_Cuda_IsRunSpecsOwnDefaults(string device)
    {
        var spec = RunSpecDefaults.For(device);

        Assert.Equal(new RunSpec() with { Device = device }, spec);
    }

    [Fact]
    public void For_EveryCall_IsAFreshSpec()
    {
        var first = RunSpecDefaults.For("cpu");
        first.Beams = 7;

        Assert.Equal(RunSpecDefaults.CpuBeams, RunSpecDefaults.For("cpu").Beams);
    }

    [Fact]
    public void SwitchDevice_UnchangedDefaults_FollowTheDevice()
    {
        var cpu = RunSpecDefaults.For("cpu");

        var gpu = RunSpecDefaults.SwitchDevice(cpu, "cuda:0");
        var back = RunSpecDefaults.SwitchDevice(gpu, "cpu");

        Assert.Equal(RunSpecDefaults.For("cuda:0"), gpu);
        Assert.Equal(cpu, back);
    }

    [Fact]
    public void SwitchDevice_ValuesTheUserChanged_Stay()
    {
        var spec = RunSpecDefaults.For("cpu");
        spec.Beams = 3;
        spec.BatchSize = 16;

        var gpu = RunSpecDefaults.SwitchDevice(spec, "cuda");

        Assert.Equal(("cuda", 3, 16), (gpu.Device, gpu.Beams, gpu.BatchSize));
        Assert.Null(gpu.Epochs);                 // epochs still had the CPU default: the GPU's (RunSpec's 30 via EffectiveEpochs)
        Assert.Equal(RunSpec.DefaultEpochs, gpu.EffectiveEpochs);
        Assert.Equal(3, spec.Beams);             // the input is not modified
        Assert.Equal("cpu", spec.Device);
    }
}
