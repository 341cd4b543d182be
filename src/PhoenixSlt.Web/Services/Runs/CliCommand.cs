using System.Diagnostics;
using System.Runtime.InteropServices;
using PhoenixSlt.Training.Launch;

namespace PhoenixSlt.Web.Services.Runs;

/// How to start `phoenix-slt`: the file to execute and the arguments before the command's own (the assembly when
/// the program is a .dll run through the dotnet host).
public sealed record CliCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public const string DefaultAssemblyName = "phoenix-slt.dll";

    /// <see cref="TrainingOptions.CliPath"/> (relative to <paramref name="baseDirectory"/>), or phoenix-slt.dll in
    /// <paramref name="baseDirectory"/> (where the project reference copies it). A .dll runs through
    /// <see cref="TrainingOptions.DotnetPath"/> or the dotnet host running the portal.
    public static CliCommand Resolve(TrainingOptions options, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        string path = string.IsNullOrWhiteSpace(options.CliPath)
            ? Path.Combine(baseDirectory, DefaultAssemblyName)
            : Path.GetFullPath(Path.Combine(baseDirectory, options.CliPath.Trim()));
        if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            return new CliCommand(path, []);
        string dotnet = string.IsNullOrWhiteSpace(options.DotnetPath) ? DotnetHost() : options.DotnetPath.Trim();
        return new CliCommand(dotnet, [path]);
    }

    /// A start of `phoenix-slt <arguments>` in <paramref name="workingDirectory"/> with redirected output, the
    /// training workers' environment (WorkerLaunchPlan) and then <paramref name="environment"/> on top.
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in PrefixArguments.Concat(arguments))
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in WorkerLaunchPlan.Environment(null))
            info.Environment[name] = value;
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        return info;
    }

    /// The program file (the .dll or the executable) that must exist.
    public string Program => PrefixArguments.Count > 0 ? PrefixArguments[0] : FileName;

    /// The dotnet host: DOTNET_HOST_PATH (set by the SDK), this process when it is dotnet, the host above the
    /// shared runtime folder, or "dotnet" from PATH.
    public static string DotnetHost()
    {
        string executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        string? self = Environment.ProcessPath;
        if (self is not null && string.Equals(Path.GetFileName(self), executable, StringComparison.OrdinalIgnoreCase))
            return self;
        // RuntimeEnvironment: DOTNET_ROOT/shared/Microsoft.NETCore.App/<version>/
        string runtime = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtime)));
        if (root is not null && File.Exists(Path.Combine(root, executable)))
            return Path.Combine(root, executable);
        return executable;
    }
}
