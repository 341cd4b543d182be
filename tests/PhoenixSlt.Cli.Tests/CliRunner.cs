using System.CommandLine;

namespace PhoenixSlt.Cli.Tests;

/// <summary>What one in-process command-line invocation produced.</summary>
/// <param name="ExitCode">The value the command's action (or the parser, on a usage error) returned.</param>
/// <param name="Output">Everything written to standard output.</param>
/// <param name="Error">Everything written to standard error.</param>
public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs `phoenix-slt` commands in-process with captured stdout/stderr, the same way Program.cs
/// invokes them (parse, then invoke with an <see cref="InvocationConfiguration"/>).
/// Usage: <c>CliRunner.Run(ScoreCommand.Create(), "score", "--hyp", path, ...)</c>.
/// </summary>
public static class CliRunner
{
    /// <summary>Wraps <paramref name="command"/> in a root command and runs <paramref name="args"/>
    /// (the first argument is the sub-command's name, as on the real command line).</summary>
    public static CliResult Run(Command command, params string[] args) =>
        Run(new RootCommand { command }, args);

    /// <summary>Runs <paramref name="args"/> against an already built root command.</summary>
    public static CliResult Run(RootCommand root, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(Configuration(output, error));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Asynchronous variant for commands whose actions are asynchronous.</summary>
    public static Task<CliResult> RunAsync(Command command, params string[] args) =>
        RunAsync(new RootCommand { command }, args);

    /// <summary>Asynchronous variant of <see cref="Run(RootCommand, string[])"/>.</summary>
    public static async Task<CliResult> RunAsync(RootCommand root, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await root.Parse(args).InvokeAsync(Configuration(output, error));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    // Exceptions are not swallowed by the default handler, so a crash fails the test with its stack trace.
    private static InvocationConfiguration Configuration(TextWriter output, TextWriter error) =>
        new() { Output = output, Error = error, EnableDefaultExceptionHandler = false };
}
