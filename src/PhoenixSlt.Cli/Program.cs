using System.CommandLine;
using PhoenixSlt.Cli.Commands;

var root = new RootCommand("phoenix-slt: PHOENIX-2014-T sign-language translation — data, training, evaluation, scoring")
{
    SynthCommand.Create(),
    DataCommand.Create(),
    ScoreCommand.Create(),
    TokenizeCommand.Create(),
};
// System.CommandLine 2.0.0 leaves ProcessTerminationTimeout null, so Ctrl+C would never reach the actions'
// cancellation tokens; give them two seconds to stop cleanly.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) });
