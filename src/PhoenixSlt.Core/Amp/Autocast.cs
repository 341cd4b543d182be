using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Amp;

/// Ambient automatic mixed precision with the policy of torch.autocast, which TorchSharp lacks. Inside
/// <see cref="Enter"/> the matmul-heavy layers (<see cref="AmpLinear"/>, <see cref="AmpConv1d"/>, attention, the LM
/// head) cast their inputs and their fp32 master weights to the low-precision type on the fly and compute there;
/// the casts are recorded by autograd, so gradients reach the fp32 parameters in fp32. Norms
/// (<see cref="AmpLayerNorm"/>, the masked batch norm), softmax and the losses compute in float32
/// (<see cref="ToFloat32"/>). Adding a low-precision branch to the float32 residual stream promotes to float32, so
/// the residual stream stays float32 as under torch.autocast (where LayerNorm outputs float32).
/// <para>The state flows with the execution context (<see cref="AsyncLocal{T}"/>): awaits, tasks and threads started
/// inside the region inherit it; threads already running (e.g. data-loading threads) never see it. Wrap only the
/// forward pass and the loss; run backward and the optimizer step outside the region, as with torch.autocast.</para>
/// <para>Outside a region every helper returns its input unchanged, so the layers compute exactly what the plain
/// TorchSharp modules compute.</para>
public static class Autocast
{
    private static readonly AsyncLocal<Region?> Current = new();

    /// True inside an <see cref="Enter"/> region (and not inside a <see cref="Disable"/> region within it).
    public static bool IsActive => Current.Value?.Dtype is not null;

    /// The low-precision type of the current region (Float16 or BFloat16), or null outside autocast.
    public static ScalarType? Dtype => Current.Value?.Dtype;

    /// Starts an autocast region computing matmul-heavy ops in <paramref name="lowPrecision"/> (Float16 or
    /// BFloat16). Dispose the result to restore the previous state; regions nest.
    public static IDisposable Enter(ScalarType lowPrecision)
    {
        if (!IsLowPrecision(lowPrecision))
            throw new ArgumentException($"autocast computes in Float16 or BFloat16, not {lowPrecision}; leave autocast off for full precision", nameof(lowPrecision));
        return new Region(lowPrecision);
    }

    /// A region inside which autocast is off (torch.autocast(enabled=False)); dispose it to restore the outer state.
    public static IDisposable Disable() => new Region(null);

    /// True for the types autocast can compute in: Float16 and BFloat16.
    public static bool IsLowPrecision(ScalarType dtype) => dtype is ScalarType.Float16 or ScalarType.BFloat16;

    /// Inside autocast, a floating-point <paramref name="x"/> cast to the low-precision type (a differentiable copy);
    /// otherwise (outside autocast, integer or bool tensors, already low precision) <paramref name="x"/> itself.
    /// With gradients disabled (decoding, validation) the cast of a <see cref="Parameter"/> is made once per region
    /// and reused, as torch.autocast caches weight casts; the region owns those copies and frees them on exit (so do
    /// not change weights inside a region with gradients off).
    public static Tensor ForMatmul(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var region = Current.Value;
        if (region?.Dtype is not ScalarType low || !x.is_floating_point() || x.dtype == low)
            return x;
        return x is Parameter parameter && !is_grad_enabled() ? region.CachedCast(parameter, low) : x.to_type(low);
    }

    /// <see cref="ForMatmul(Tensor)"/> for an optional tensor (e.g. a missing bias).
    public static Tensor? ForMatmulOptional(Tensor? x) => x is null ? null : ForMatmul(x);

    /// Inside autocast, a Float16/BFloat16 <paramref name="x"/> cast to Float32 (for norms, softmax and losses);
    /// otherwise <paramref name="x"/> itself.
    public static Tensor ToFloat32(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return IsActive && IsLowPrecision(x.dtype) ? x.to_type(ScalarType.Float32) : x;
    }

    /// An attention mask usable with queries of type <paramref name="queryDtype"/> in scaled_dot_product_attention:
    /// null and bool masks pass through, as does a mask already of that type; an additive floating mask is converted
    /// with its very negative entries clamped to the lowest finite value of <paramref name="queryDtype"/> first
    /// (a float32 minimum would overflow to -inf in float16 and bfloat16, and a row of -inf becomes NaN).
    public static Tensor? AttentionMask(Tensor? mask, ScalarType queryDtype)
    {
        if (mask is null || mask.dtype == ScalarType.Bool || mask.dtype == queryDtype)
            return mask;
        if (!mask.is_floating_point())
            throw new ArgumentException($"an attention mask must be bool or floating point, got {mask.dtype}", nameof(mask));
        using var scope = NewDisposeScope();
        double lowest = finfo(queryDtype).min;
        return mask.clamp_min(lowest).to_type(queryDtype).MoveToOuterDisposeScope();
    }

    private sealed class Region : IDisposable
    {
        private readonly Region? _previous;
        private readonly Dictionary<IntPtr, Tensor> _casts = [];
        private bool _disposed;

        public Region(ScalarType? dtype)
        {
            Dtype = dtype;
            _previous = Current.Value;
            Current.Value = this;
        }

        public ScalarType? Dtype { get; }

        // The low-precision copy of a parameter, made on first use (no autograd history: gradients are off).
        public Tensor CachedCast(Parameter parameter, ScalarType low)
        {
            lock (_casts)
            {
                if (_disposed)
                    return parameter.to_type(low);
                if (!_casts.TryGetValue(parameter.Handle, out var cast) || cast.dtype != low)
                {
                    cast = parameter.to_type(low).DetachFromDisposeScope();
                    _casts[parameter.Handle] = cast;
                }
                return cast;
            }
        }

        public void Dispose()
        {
            lock (_casts)
            {
                if (_disposed)
                    return;
                _disposed = true;
                foreach (var cast in _casts.Values)
                    cast.Dispose();
                _casts.Clear();
            }
            Current.Value = _previous;
        }
    }
}
