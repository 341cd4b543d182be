using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Adds fixed sinusoidal positions to a sequence: channel 2i holds sin(t / base^(2i/D)) and channel 2i+1 holds
/// cos(t / base^(2i/D)) for frame t. Parameter-free and defined for any length, so a sample's positions do not
/// depend on how far its batch is padded.
/// Attention Is All You Need (Vaswani et al., NeurIPS 2017), §3.5.
public sealed class SinusoidalPositionalEncoding : nn.Module<Tensor, Tensor>
{
    private readonly int dModel;
    private readonly double positionBase;

    public SinusoidalPositionalEncoding(int dModel, double positionBase) : base(nameof(SinusoidalPositionalEncoding))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        if (dModel % 2 != 0)
            throw new ArgumentException($"sinusoidal positions need an even width; got d_model = {dModel}", nameof(dModel));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(positionBase, 1.0);
        this.dModel = dModel;
        this.positionBase = positionBase;
        RegisterComponents();
    }

    // x: (B, T, D) -> x + pe[:T], pe: (T, D)
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor pe = Table(x.shape[1], dModel, positionBase, x.device).to_type(x.dtype); // (T, D)
        Tensor y = x + pe.unsqueeze(0); // (B, T, D)
        return y.MoveToOuterDisposeScope();
    }

    /// The position table (T, D) in float32.
    public static Tensor Table(long frames, int dModel, double positionBase, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor positions = torch.arange(frames, dtype: ScalarType.Float64, device: device).unsqueeze(1); // (T, 1)
        Tensor pairs = torch.arange(0, dModel, 2, dtype: ScalarType.Float64, device: device);              // (D/2)
        Tensor inverseFrequency = torch.exp(pairs * (-Math.Log(positionBase) / dModel)).unsqueeze(0);     // (1, D/2)
        Tensor angles = positions * inverseFrequency;                                                      // (T, D/2)
        // (T, D/2, 2) -> (T, D): sine on even channels, cosine on odd channels
        Tensor table = torch.stack([angles.sin(), angles.cos()], dim: 2).reshape(frames, dModel);
        return table.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
