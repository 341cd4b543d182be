using System.CommandLine;
using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Training;

namespace PhoenixSlt.Cli.Commands;

/// <c>phoenix-slt translate</c>: translates one clip (keypoints + SigLIP features) with an SLT checkpoint.
public static class TranslateCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;

    /// <param name="Threads">libtorch intra-op threads; null: libtorch's default.</param>
    public sealed record Request(string Checkpoint, string Keypoints, string Siglip, int Beams, bool Json, string Device, int? Threads = null);

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "SLT checkpoint folder.", HelpName = "DIR", Required = true };
        var kpts = new Option<string>("--kpts") { Description = "Keypoints .npy, shape (T, 75, 3) or (T, 225).", HelpName = "A.npy", Required = true };
        var siglip = new Option<string>("--siglip") { Description = "SigLIP features .npy, shape (T', 768).", HelpName = "B.npy", Required = true };
        var beams = new Option<int>("--beams") { Description = "Beam width (1 = greedy).", HelpName = "K", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print {\"translation\": …, \"glosses\": …} instead of the plain text (glosses: null without a gloss head)." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = ThreadsOption.Create();
        var command = new Command("translate", "Translate one clip (keypoints + SigLIP features) with an SLT checkpoint.")
        {
            checkpoint, kpts, siglip, beams, json, device, threads,
        };
        command.SetAction(parseResult => Run(
            new Request(parseResult.GetValue(checkpoint)!, parseResult.GetValue(kpts)!, parseResult.GetValue(siglip)!,
                parseResult.GetValue(beams), parseResult.GetValue(json), parseResult.GetValue(device)!, parseResult.GetValue(threads)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(Request request, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (request.Beams < 1)
                throw new TrainingConfigurationException($"--beams {request.Beams} must be at least 1 (1 = greedy search)");
            var device = DeviceSelection.Parse(request.Device);
            ThreadBudget.Apply(request.Threads);
            var clip = ClipReader.Read(request.Keypoints, request.Siglip);
            using var checkpoint = SltCheckpoint.Load(request.Checkpoint, device.ToDevice());
            string translation = checkpoint.Translate([clip], request.Beams)[0];
            string? glosses = checkpoint.RecognizeGlosses([clip])?[0];
            if (request.Json)
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string?> { ["translation"] = translation, ["glosses"] = glosses }));
            else
            {
                output.WriteLine(translation);
                if (glosses is not null)
                    output.WriteLine($"glosses: {glosses}");
            }
            return ExitOk;
        }
        catch (Exception e) when (e is TrainingConfigurationException or PhoenixDataException or CheckpointFormatException
                                      or InvalidGenerationConfigException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"translate: {e.Message}");
            return ExitFailed;
        }
    }
}
