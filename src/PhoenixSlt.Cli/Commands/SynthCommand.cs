using System.CommandLine;

namespace PhoenixSlt.Cli.Commands;

/// `phoenix-slt synth` (placeholder until implemented).
public static class SynthCommand
{
    public static Command Create()
    {
        var command = new Command("synth", "not implemented yet");
        command.SetAction(_ => { Console.Error.WriteLine("synth: not implemented yet"); return 2; });
        return command;
    }
}
