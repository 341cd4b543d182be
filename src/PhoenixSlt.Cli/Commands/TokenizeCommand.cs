using System.CommandLine;

namespace PhoenixSlt.Cli.Commands;

/// `phoenix-slt tokenize` (placeholder until implemented).
public static class TokenizeCommand
{
    public static Command Create()
    {
        var command = new Command("tokenize", "not implemented yet");
        command.SetAction(_ => { Console.Error.WriteLine("tokenize: not implemented yet"); return 2; });
        return command;
    }
}
