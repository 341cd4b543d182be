using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// The convolution module of a Squeezeformer block (its residual branch): scaled input → pointwise Conv1d
/// (D → E·D) → Swish → depthwise Conv1d (E·D channels, groups E·D, kernel k, 'same' padding, no bias because a
/// batch norm follows) → masked BatchNorm1d → Swish → pointwise Conv1d (E·D → D) → dropout.
/// Swish replaces Conformer's GLU after the first pointwise convolution ("unified activations"; official code:
/// conv_use_glu false, conv_expansion_rate 2), so the depthwise convolution runs on E·D channels.
/// Padded frames are zeroed right before the depthwise convolution, so they contribute exactly what the convolution's
/// own zero padding would: a sample's real frames see the same values whether or not its batch is padded. The batch
/// norm takes its statistics over real frames only.
/// Squeezeformer (Kim et al., NeurIPS 2022), §3 (unified activations); Conformer (Gulati et al., 2020), §2.2.
public sealed class ConvModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ScaledInput scaled_input;
    private readonly AmpConv1d pointwise_conv1;
    private readonly AmpConv1d depthwise_conv;
    private readonly MaskedBatchNorm1d batch_norm;
    private readonly AmpConv1d pointwise_conv2;
    private readonly Dropout dropout;
    private readonly int channels;
    private readonly int kernelSize;

    public ConvModule(int dModel, int expansionFactor, int kernelSize, double dropoutRate, double batchNormEps, double batchNormMomentum)
        : base(nameof(ConvModule))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expansionFactor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (kernelSize % 2 == 0)
            throw new ArgumentException($"the depthwise kernel must be odd for symmetric 'same' padding; got {kernelSize}", nameof(kernelSize));
        channels = dModel * expansionFactor;
        this.kernelSize = kernelSize;
        scaled_input = new ScaledInput(dModel);
        pointwise_conv1 = new AmpConv1d(dModel, channels, 1);
        depthwise_conv = new AmpConv1d(channels, channels, kernelSize, padding: (kernelSize - 1) / 2, groups: channels, bias: false);
        batch_norm = new MaskedBatchNorm1d(channels, batchNormEps, batchNormMomentum);
        pointwise_conv2 = new AmpConv1d(channels, dModel, 1);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// Channels of the depthwise convolution (E·D); it has as many groups.
    public int DepthwiseChannels => channels;

    public int KernelSize => kernelSize;

    /// The depthwise convolution, for inspection (weight (E·D, 1, k)).
    public AmpConv1d DepthwiseConv => depthwise_conv;

    public MaskedBatchNorm1d BatchNorm => batch_norm;

    // x: (B, T, D), mask: (B, T) bool, true on real frames -> (B, T, D)
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        Tensor padded = mask.logical_not().unsqueeze(1);                        // (B, T) -> (B, 1, T)
        Tensor h = scaled_input.forward(x).transpose(1, 2);                     // (B, T, D) -> (B, D, T)
        h = nn.functional.silu(pointwise_conv1.forward(h));                    // (B, E·D, T)
        h = h.masked_fill(padded, 0.0);                                         // padding -> 0 before the depthwise conv
        h = depthwise_conv.forward(h);                                          // (B, E·D, T)
        h = nn.functional.silu(batch_norm.forward(h, mask));                   // (B, E·D, T)
        h = pointwise_conv2.forward(h);                                         // (B, D, T)
        Tensor y = dropout.forward(h.transpose(1, 2));                          // (B, D, T) -> (B, T, D)
        return y.MoveToOuterDisposeScope();
    }
}
