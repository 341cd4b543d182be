using PhoenixSlt.Cli;
using PhoenixSlt.Core.Native;

// Before libtorch is loaded (PhoenixSlt.Core's module initializer loads it): OpenMP reads its settings once.
OpenMpDefaults.PreferPassiveWait();

// Before any tensor exists: TorchSharp Scalars are released through the quarantine (see ScalarLifetimeGuard).
if (ScalarLifetimeGuard.Install() is { Active: false } guard && Environment.GetEnvironmentVariable(ScalarLifetimeGuard.DisableVariable) is null)
    Console.Error.WriteLine($"warning: {guard.Detail}; long runs may fail with \"Expected false to be true\" from libtorch");

return await CliApp.CreateRoot().Parse(args).InvokeAsync(CliApp.InvocationConfiguration());
