using System.CommandLine;

namespace PhoenixSlt.Cli.Commands;

/// `phoenix-slt data` (placeholder until implemented).
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "not implemented yet");
        command.SetAction(_ => { Console.Error.WriteLine("data: not implemented yet"); return 2; });
        return command;
    }
}
