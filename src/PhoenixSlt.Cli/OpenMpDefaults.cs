using System.Runtime.InteropServices;

namespace PhoenixSlt.Cli;

/// OpenMP settings that must be in the process environment before libtorch (and its libgomp, which reads them once
/// when it is loaded) is loaded. Called first thing by the CLI's and the portal's entry points, before any type that
/// loads libtorch (PhoenixSlt.Core's module initializer loads it).
public static partial class OpenMpDefaults
{
    /// OMP_WAIT_POLICY=PASSIVE unless the environment already sets a policy: OpenMP threads sleep between parallel
    /// regions instead of spinning, so processes sharing the cores (training, evaluation, translation) do not burn
    /// each other's time. True when this call set it.
    public static bool PreferPassiveWait()
    {
        const string name = PhoenixSlt.Training.ThreadBudget.OmpWaitPolicy;
        if (OperatingSystem.IsWindows() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            return false;
        // Environment.SetEnvironmentVariable only changes .NET's own copy on Unix; the native libraries read environ.
        bool set = SetEnv(name, PhoenixSlt.Training.ThreadBudget.PassiveWait, overwrite: 0) == 0;
        if (set)
            Environment.SetEnvironmentVariable(name, PhoenixSlt.Training.ThreadBudget.PassiveWait);
        return set;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
