using System.CommandLine;

namespace PhoenixSlt.Cli.Commands;

/// `phoenix-slt score` (placeholder until implemented).
public static class ScoreCommand
{
    public static Command Create()
    {
        var command = new Command("score", "not implemented yet");
        command.SetAction(_ => { Console.Error.WriteLine("score: not implemented yet"); return 2; });
        return command;
    }
}
