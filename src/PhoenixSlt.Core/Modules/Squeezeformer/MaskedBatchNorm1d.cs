using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// BatchNorm1d whose training-mode statistics come from real frames only. In training mode the per-channel mean and
/// (biased) variance are taken over the frames where the mask is true, so padding never shifts the normalisation of
/// real frames; the running statistics are updated from the same masked mean and the unbiased masked variance
/// (PyTorch's convention: running = (1 − momentum)·running + momentum·batch). Eval mode uses the running statistics.
/// Parameter and buffer names match torch.nn.BatchNorm1d (weight, bias, running_mean, running_var); there is no
/// num_batches_tracked because the momentum is fixed. Statistics are computed in float32 whatever the input type.
/// Batch Normalization (Ioffe and Szegedy, ICML 2015), Algorithm 1.
public sealed class MaskedBatchNorm1d : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly int numFeatures;
    private readonly double eps;
    private readonly double momentum;

    public MaskedBatchNorm1d(int numFeatures, double eps, double momentum) : base(nameof(MaskedBatchNorm1d))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eps);
        if (!(momentum > 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "batch norm momentum must be in (0, 1]");
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        weight = nn.Parameter(torch.ones(numFeatures));
        bias = nn.Parameter(torch.zeros(numFeatures));
        running_mean = torch.zeros(numFeatures);
        running_var = torch.ones(numFeatures);
        RegisterComponents();
    }

    public int NumFeatures => numFeatures;

    /// Running per-channel mean (C); read-only view for inspection.
    public Tensor RunningMean => running_mean;

    /// Running per-channel unbiased variance (C).
    public Tensor RunningVar => running_var;

    // x: (B, C, T), mask: (B, T) bool, true on real frames -> (B, C, T); padded frames hold finite values to be discarded
    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        if (x.dim() != 3 || x.shape[1] != numFeatures)
            throw new ArgumentException($"MaskedBatchNorm1d expects (B, {numFeatures}, T); got ({string.Join(", ", x.shape)})", nameof(x));
        if (mask.dim() != 2 || mask.shape[0] != x.shape[0] || mask.shape[1] != x.shape[2])
            throw new ArgumentException($"mask shape ({string.Join(", ", mask.shape)}) does not match input ({string.Join(", ", x.shape)}); expected (B, T)", nameof(mask));

        Tensor input = x.to_type(ScalarType.Float32);
        Tensor mean, variance;
        if (training)
        {
            Tensor padded = mask.logical_not().unsqueeze(1);                         // (B, T) -> (B, 1, T)
            Tensor count = mask.to_type(ScalarType.Float32).sum();                    // () real frames in the batch
            Tensor safeCount = count.clamp_min(1.0);
            mean = input.masked_fill(padded, 0.0).sum([0, 2]) / safeCount;            // (C)
            Tensor centered = (input - mean.view(1, -1, 1)).masked_fill(padded, 0.0); // (B, C, T), 0 on padding
            variance = centered.square().sum([0, 2]) / safeCount;                     // (C) biased
            UpdateRunningStatistics(mean, variance, count);
        }
        else
        {
            mean = running_mean;
            variance = running_var;
        }
        Tensor inverseStd = (variance + eps).rsqrt();                                // (C)
        Tensor scale = (weight * inverseStd).view(1, -1, 1);                         // (1, C, 1)
        Tensor shift = (bias - mean * weight * inverseStd).view(1, -1, 1);           // (1, C, 1)
        Tensor y = (input * scale + shift).to_type(x.dtype);                         // (B, C, T)
        return y.MoveToOuterDisposeScope();
    }

    // mean, variance: (C) float32 over `count` real frames
    private void UpdateRunningStatistics(Tensor mean, Tensor variance, Tensor count)
    {
        using var noGrad = torch.no_grad();
        Tensor unbiased = variance.detach() * (count / (count - 1.0).clamp_min(1.0)); // (C)
        running_mean.mul_(1.0 - momentum).add_(mean.detach().to(running_mean.device) * momentum);
        running_var.mul_(1.0 - momentum).add_(unbiased.to(running_var.device) * momentum);
    }
}
