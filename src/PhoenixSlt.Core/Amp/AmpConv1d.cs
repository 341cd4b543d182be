using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Amp;

/// A 1-D convolution (zero padding) that follows <see cref="Autocast"/> like <see cref="AmpLinear"/>: inside an
/// autocast region input, weight and bias are cast to the low-precision type on the fly; outside it computes exactly
/// what TorchSharp's Conv1d computes. Same parameters, names (weight (out, in / groups, k), bias (out)) and
/// initialisation as nn.Conv1d.
public sealed class AmpConv1d : AmpModule
{
    [ComponentName(Name = nameof(weight))]
    private Parameter _weight;

    [ComponentName(Name = nameof(bias))]
    private Parameter? _bias;

    public AmpConv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
        : base(nameof(AmpConv1d))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}", nameof(groups));
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        using (var initialised = nn.Conv1d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups: groups, bias: bias, device: device, dtype: dtype))
        {
            _weight = CopyOf(initialised.weight);
            _bias = initialised.bias is null ? null : CopyOf(initialised.bias);
        }
        RegisterComponents();
    }

    public long Stride { get; }

    public long Padding { get; }

    public long Dilation { get; }

    public long Groups { get; }

#pragma warning disable IDE1006 // PyTorch member names; Module.to() swaps parameters through these setters
    /// (out, in / groups, k): the master weights.
    public Parameter weight
    {
        get => _weight;
        private set => _weight = Swap(nameof(weight), _weight, value)!;
    }

    /// (out), or null without bias.
    public Parameter? bias
    {
        get => _bias;
        private set => _bias = Swap(nameof(bias), _bias, value);
    }
#pragma warning restore IDE1006

    // x: (B, in, T) -> (B, out, T_out); in the low-precision type inside autocast
    public override Tensor forward(Tensor x)
    {
        if (!Autocast.IsActive)
            return F.conv1d(x, _weight, _bias, Stride, Padding, Dilation, Groups);
        using var scope = NewDisposeScope();
        return F.conv1d(Autocast.ForMatmul(x), Autocast.ForMatmul(_weight), Autocast.ForMatmulOptional(_bias), Stride, Padding, Dilation, Groups)
            .MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weight.Dispose();
            _bias?.Dispose();
        }
        base.Dispose(disposing);
    }
}
