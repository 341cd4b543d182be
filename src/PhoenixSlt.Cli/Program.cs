using System.CommandLine;
using PhoenixSlt.Cli.Commands;

var root = new RootCommand("phoenix-slt: PHOENIX-2014-T sign-language translation — data, training, evaluation, scoring")
{
    SynthCommand.Create(),
    DataCommand.Create(),
    ScoreCommand.Create(),
    TokenizeCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
