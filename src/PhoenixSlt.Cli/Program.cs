using PhoenixSlt.Cli;
using PhoenixSlt.Core.Native;

// Before any tensor exists: TorchSharp Scalars are released through the quarantine (see ScalarLifetimeGuard).
if (ScalarLifetimeGuard.Install() is { Active: false } guard && Environment.GetEnvironmentVariable(ScalarLifetimeGuard.DisableVariable) is null)
    Console.Error.WriteLine($"warning: {guard.Detail}; long runs may fail with \"Expected false to be true\" from libtorch");

return await CliApp.CreateRoot().Parse(args).InvokeAsync(CliApp.InvocationConfiguration());
