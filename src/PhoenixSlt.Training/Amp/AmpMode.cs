using PhoenixSlt.Core.Amp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Amp;

/// Mixed-precision mode of a training run (<c>--amp none|bf16|fp16</c>).
/// <list type="bullet">
/// <item><see cref="None"/>: everything in float32 — the default, and the right choice on CPUs.</item>
/// <item><see cref="Bf16"/>: matmul-heavy ops in bfloat16 under <see cref="Autocast"/>; bfloat16 has float32's
/// exponent range, so no loss scaling (like PyTorch).</item>
/// <item><see cref="Fp16"/>: matmul-heavy ops in float16 with dynamic loss scaling (<see cref="GradScaler"/>), since
/// small float16 gradients underflow.</item>
/// </list>
/// On CPU both work with libtorch 2.10 but neither pays off on a CPU without AMX/AVX512-FP16: bf16 matmuls run at
/// about float32 speed while convolutions are several times slower, and float16 matmuls fall back to a scalar path
/// (a 1024² matmul: ~2 s against ~40 ms in float32). Mixed precision is for GPUs.
public enum AmpMode
{
    None,
    Bf16,
    Fp16,
}

/// Parsing and use of <see cref="AmpMode"/>.
public static class AmpModes
{
    /// The accepted spellings, for help texts.
    public const string Names = "none, bf16, fp16";

    /// "none", "bf16" or "fp16" (case-insensitive); <see cref="ArgumentException"/> saying what is accepted otherwise.
    public static AmpMode Parse(string? value)
        => TryParse(value, out var mode)
            ? mode
            : throw new ArgumentException($"unknown mixed-precision mode '{value}': use one of {Names} (--amp)", nameof(value));

    public static bool TryParse(string? value, out AmpMode mode)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "none":
                mode = AmpMode.None;
                return true;
            case "bf16":
                mode = AmpMode.Bf16;
                return true;
            case "fp16":
                mode = AmpMode.Fp16;
                return true;
            default:
                mode = AmpMode.None;
                return false;
        }
    }

    /// The command-line spelling: "none", "bf16" or "fp16".
    public static string Name(this AmpMode mode) => mode switch
    {
        AmpMode.None => "none",
        AmpMode.Bf16 => "bf16",
        AmpMode.Fp16 => "fp16",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"unknown mixed-precision mode; use one of {Names}"),
    };

    /// The type matmul-heavy ops compute in, or null for <see cref="AmpMode.None"/>.
    public static ScalarType? LowPrecisionType(this AmpMode mode) => mode switch
    {
        AmpMode.None => null,
        AmpMode.Bf16 => ScalarType.BFloat16,
        AmpMode.Fp16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"unknown mixed-precision mode; use one of {Names}"),
    };

    /// An autocast region for the forward pass and the loss (nothing for <see cref="AmpMode.None"/>); dispose it
    /// before backward.
    public static IDisposable Autocast(this AmpMode mode)
        => mode.LowPrecisionType() is ScalarType low ? Core.Amp.Autocast.Enter(low) : NoRegion.Instance;

    /// Whether the mode needs loss scaling (float16 only).
    public static bool UsesLossScaling(this AmpMode mode) => mode == AmpMode.Fp16;

    /// The scaler for the mode: enabled for <see cref="AmpMode.Fp16"/>, a pass-through otherwise.
    public static GradScaler CreateGradScaler(this AmpMode mode, GradScalerOptions? options = null)
        => new(options, enabled: mode.UsesLossScaling());

    private sealed class NoRegion : IDisposable
    {
        public static readonly NoRegion Instance = new();

        public void Dispose()
        {
        }
    }
}
