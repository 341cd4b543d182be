using System.CommandLine;
using PhoenixSlt.Cli.Commands;

namespace PhoenixSlt.Cli;

/// The `phoenix-slt` command tree, built in one place so Program.cs and the tests use the same commands.
public static class CliApp
{
    public static RootCommand CreateRoot() => new("phoenix-slt: PHOENIX-2014-T sign-language translation — data, training, evaluation, scoring")
    {
        SynthCommand.Create(),
        DataCommand.Create(),
        ScoreCommand.Create(),
        TokenizeCommand.Create(),
        MBartCommand.Create(),
        TrainCommand.Create(),
        WorkerCommand.Create(),
        EvaluateCommand.Create(),
        TranslateCommand.Create(),
    };

    /// System.CommandLine 2.0.0 leaves ProcessTerminationTimeout null, so Ctrl+C would never reach the actions'
    /// cancellation tokens; give them two seconds to stop cleanly.
    public static InvocationConfiguration InvocationConfiguration() => new() { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };
}
