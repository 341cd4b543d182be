using PhoenixSlt.Core.Amp;
using PhoenixSlt.Training.Amp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Amp;

public sealed class AmpModeTests
{
    [Theory]
    [InlineData("none", AmpMode.None)]
    [InlineData("bf16", AmpMode.Bf16)]
    [InlineData("fp16", AmpMode.Fp16)]
    [InlineData(" FP16 ", AmpMode.Fp16)]
    [InlineData("Bf16", AmpMode.Bf16)]
    public void Parse_KnownName_ThatMode(string value, AmpMode expected)
    {
        Assert.Equal(expected, AmpModes.Parse(value));
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bfloat16")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_UnknownName_ErrorNamesTheValueAndTheChoices(string? value)
    {
        var e = Assert.Throws<ArgumentException>(() => AmpModes.Parse(value));

        Assert.Contains($"'{value}'", e.Message);
        Assert.Contains("none, bf16, fp16", e.Message);
        Assert.Contains("--amp", e.Message);
    }

    [Theory]
    [InlineData(AmpMode.None)]
    [InlineData(AmpMode.Bf16)]
    [InlineData(AmpMode.Fp16)]
    public void Name_ParsesBackToTheSameMode(AmpMode mode)
    {
        Assert.Equal(mode, AmpModes.Parse(mode.Name()));
    }

    [Fact]
    public void LowPrecisionType_EachMode_ItsComputeType()
    {
        Assert.Null(AmpMode.None.LowPrecisionType());
        Assert.Equal(ScalarType.BFloat16, AmpMode.Bf16.LowPrecisionType());
        Assert.Equal(ScalarType.Float16, AmpMode.Fp16.LowPrecisionType());
    }

    [Theory]
    [InlineData(AmpMode.None, null)]
    [InlineData(AmpMode.Bf16, ScalarType.BFloat16)]
    [InlineData(AmpMode.Fp16, ScalarType.Float16)]
    public void Autocast_EachMode_RegionWithItsTypeUntilDisposed(AmpMode mode, ScalarType? expected)
    {
        using (mode.Autocast())
            Assert.Equal(expected, Autocast.Dtype);

        Assert.False(Autocast.IsActive);
    }

    [Theory]
    [InlineData(AmpMode.None, false)]
    [InlineData(AmpMode.Bf16, false)]
    [InlineData(AmpMode.Fp16, true)]
    public void CreateGradScaler_OnlyFloat16ScalesTheLoss(AmpMode mode, bool enabled)
    {
        var scaler = mode.CreateGradScaler();

        Assert.Equal(enabled, scaler.IsEnabled);
        Assert.Equal(enabled ? 65536.0 : 1.0, scaler.CurrentScale);
    }
}
