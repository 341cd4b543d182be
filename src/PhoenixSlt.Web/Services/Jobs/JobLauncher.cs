using System.ComponentModel;
using System.Diagnostics;
using PhoenixSlt.Training;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Jobs;

/// How the portal starts the `phoenix-slt` process of a job (training stage or evaluation): the program
/// (<see cref="CliCommand"/>) and the processes' extra environment (<see cref="TrainingOptions.Environment"/>).
public sealed class JobLauncher(CliCommand cli, IReadOnlyDictionary<string, string> environment, TimeProvider time)
{
    public CliCommand Cli { get; } = cli;

    /// Why no job can start because the program file is missing, or null. <paramref name="purpose"/> completes
    /// "the portal … with phoenix-slt" ("starts training", "evaluates").
    public string? MissingProgram(string purpose)
        => File.Exists(Cli.Program) ? null
            : $"{Cli.Program} not found: the portal {purpose} with phoenix-slt. Build the solution (dotnet build) so that phoenix-slt.dll is next to the portal, or set Phoenix:Training:CliPath.";

    /// Starts `phoenix-slt <paramref name="arguments"/>` in <paramref name="workingDirectory"/> with
    /// <paramref name="threads"/> intra-op threads (<see cref="ThreadBudget.Environment"/>, under the configured
    /// environment), its output going to <paramref name="output"/>; null with the reason in <paramref name="error"/>
    /// when it could not be started.
    public JobProcess? TryStart(IReadOnlyList<string> arguments, string workingDirectory, ProcessOutput output, out string? error, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var process = new Process { StartInfo = Cli.StartInfo(arguments, workingDirectory, EnvironmentOf(threads)), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.Add(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            error = $"Could not start {Cli.FileName}: {e.Message}. Check Phoenix:Training:CliPath and Phoenix:Training:DotnetPath.";
            return null;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        error = null;
        return new JobProcess(process, time);
    }

    /// The variables a job's process gets on top of the portal's: the thread budget's, then the configured ones.
    public IReadOnlyDictionary<string, string> EnvironmentOf(int? threads)
    {
        if (threads is not int count)
            return environment;
        var variables = new Dictionary<string, string>(ThreadBudget.Environment(count), StringComparer.Ordinal);
        foreach (var (name, value) in environment)
            variables[name] = value;
        return variables;
    }
}
