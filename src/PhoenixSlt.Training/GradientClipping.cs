using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training;

/// torch.nn.utils.clip_grad_norm_ without a host synchronisation: the global L2 norm and the clip coefficient stay
/// tensors (TorchSharp's clip_grad_norm_ returns a double, which waits for the device every step).
public static class GradientClipping
{
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the L2 norm over all gradients together, and
    /// returns ‖g‖ before clipping (a scalar tensor in the caller's dispose scope). Parameters without a gradient
    /// are skipped; null when none has one.
    public static Tensor? ClipGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the maximum norm must be positive");
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0)
            return null;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor norms = stack(grads.Select(g => linalg.vector_norm(g.to(ScalarType.Float32))).ToArray()); // (P)
        Tensor total = linalg.vector_norm(norms);                                                        // ()
        Tensor coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);                                  // ()
        foreach (var grad in grads)
            grad.mul_(coefficient.to(grad.dtype));
        return total.MoveToOuterDisposeScope();
    }
}
