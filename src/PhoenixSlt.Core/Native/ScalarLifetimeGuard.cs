using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace PhoenixSlt.Core.Native;

/// Whether TorchSharp Scalars are released through the quarantine of libphoenix_scalarguard.so.
public sealed record ScalarGuardStatus(bool Active, string Detail);

/// Closes a use-after-free in TorchSharp 0.107: a <see cref="Scalar"/> owns its native value through a raw
/// handle and frees it in its finalizer, so the temporary Scalar of `t - 1.0` or `x.masked_fill(m, 0.0)` can
/// be collected and freed while libtorch is still reading it ("Expected false to be true" from
/// c10::Scalar::toDouble, or silent garbage). The guard resolves TorchSharp's `LibTorchSharp` imports to
/// libphoenix_scalarguard.so (build/scalar_guard.c, put beside libLibTorchSharp.so by the build): every
/// symbol but one comes from the real library; THSTorch_dispose_scalar queues the value and releases it
/// after a quarantine (10 s), long after any op that was handed it has read it.
/// Installed by a module initializer of this assembly, before TorchSharp binds its imports; idempotent.
public static class ScalarLifetimeGuard
{
    public const string GuardFileName = "libphoenix_scalarguard.so";
    public const string TorchSharpFileName = "libLibTorchSharp.so";
    private const string TorchSharpLibraryName = "LibTorchSharp";

    /// `PHOENIX_SCALAR_GUARD=off` leaves TorchSharp's own Scalar release in place (for diagnosis).
    public const string DisableVariable = "PHOENIX_SCALAR_GUARD";

    private static readonly Lock Gate = new();
    private static ScalarGuardStatus? _status;
    private static IntPtr _guard;
    private static StatsFn? _stats;
    private static InitFn? _init;
    private static IntPtr _original;
    private static SweepFn? _sweep;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void InitFn(IntPtr originalDispose, long delayMs);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void StatsFn(out long pending, out long released);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SweepFn();

    /// The state after <see cref="Install"/> (installing it first if needed).
    public static ScalarGuardStatus Status => Install();

    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The guard must be in place before TorchSharp binds THSTorch_dispose_scalar; every host loads this assembly before it touches tensors.")]
    [ModuleInitializer]
    internal static void InstallOnLoad() => Install();

    /// Installs the guard for this process once. Never throws: without the guard library (not Linux, or
    /// built without gcc) or when another resolver owns TorchSharp's imports, the status says why.
    public static ScalarGuardStatus Install()
    {
        lock (Gate)
            return _status ??= TryInstall();
    }

    /// Queued Scalars not yet released, and Scalars released so far (zeros without the guard).
    public static (long Pending, long Released) Statistics()
    {
        Install();
        if (_stats is null)
            return (0, 0);
        _stats(out long pending, out long released);
        return (pending, released);
    }

    /// Sets how long a released Scalar stays queued (default 10 s). Returns false without the guard.
    public static bool SetQuarantine(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Install();
        if (_init is null)
            return false;
        _init(_original, (long)delay.TotalMilliseconds);
        return true;
    }

    /// Releases the queued Scalars whose quarantine is over (normally done on every release).
    public static void Sweep()
    {
        Install();
        _sweep?.Invoke();
    }

    private static ScalarGuardStatus TryInstall()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(DisableVariable), "off", StringComparison.OrdinalIgnoreCase))
            return new ScalarGuardStatus(false, $"disabled by {DisableVariable}=off");
        if (!OperatingSystem.IsLinux())
            return new ScalarGuardStatus(false, "the Scalar guard is built for Linux only");
        string? directory = FindNativeDirectory(AppContext.BaseDirectory);
        if (directory is null)
            return new ScalarGuardStatus(false, $"{TorchSharpFileName} was not found under {AppContext.BaseDirectory}");
        string guardPath = Path.Combine(directory, GuardFileName);
        if (!File.Exists(guardPath))
            return new ScalarGuardStatus(false, $"{guardPath} is missing (the build needs gcc: apt-get install -y gcc)");
        try
        {
            IntPtr real = NativeLibrary.Load(Path.Combine(directory, TorchSharpFileName));
            IntPtr guard = NativeLibrary.Load(guardPath);
            IntPtr original = NativeLibrary.GetExport(real, "THSTorch_dispose_scalar");
            var init = Marshal.GetDelegateForFunctionPointer<InitFn>(NativeLibrary.GetExport(guard, "phoenix_scalarguard_init"));
            init(original, -1);
            var stats = Marshal.GetDelegateForFunctionPointer<StatsFn>(NativeLibrary.GetExport(guard, "phoenix_scalarguard_stats"));
            var sweep = Marshal.GetDelegateForFunctionPointer<SweepFn>(NativeLibrary.GetExport(guard, "phoenix_scalarguard_sweep"));
            (_guard, _stats, _sweep, _init, _original) = (guard, stats, sweep, init, original);
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve);
            return new ScalarGuardStatus(true, guardPath);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or BadImageFormatException)
        {
            (_guard, _stats, _sweep, _init) = (IntPtr.Zero, null, null, null);
            return new ScalarGuardStatus(false, $"the Scalar guard could not be installed: {e.Message}");
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        => libraryName == TorchSharpLibraryName ? _guard : IntPtr.Zero;

    /// The folder holding libLibTorchSharp.so: the RID-specific native folder of a build, or the base folder.
    public static string? FindNativeDirectory(string baseDirectory)
    {
        string[] candidates =
        [
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native"),
            baseDirectory,
        ];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, TorchSharpFileName)));
    }
}
