using System.CommandLine;
using System.Globalization;
using PhoenixSlt.Cli;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public class TrainArgumentsTests
{
    private static readonly string RunFolder = Path.Combine(Path.GetTempPath(), "runs", "7");
    private const string Data = "/data/phoenix-synth";

    [Fact]
    public void Plan_SinglePhase_OneStageInItsOwnSubfolder()
    {
        var request = new RunRequest { Phase = RunPhases.Vlp, Dataset = "d", InitCheckpoint = "/ckpt/text/best", MBartFolder = "/mbart" };

        var stage = Assert.Single(TrainArguments.Plan(request, RunFolder));

        Assert.Equal(new TrainStage("vlp", Path.Combine(RunFolder, "vlp"), Path.Combine(RunFolder, "vlp", "events.jsonl"), "/ckpt/text/best", "/mbart"), stage);
    }

    [Fact]
    public void Plan_Pipeline_ChainsTextVlpSltThroughTheirBestFolders()
    {
        var request = new RunRequest { Phase = RunPhases.Pipeline, Dataset = "d", MBartFolder = "/hf/mbart" };

        var stages = TrainArguments.Plan(request, RunFolder);

        string text = Path.Combine(RunFolder, "text"), vlp = Path.Combine(RunFolder, "vlp"), slt = Path.Combine(RunFolder, "slt");
        Assert.Equal(
        [
            new TrainStage("text", text, Path.Combine(text, "events.jsonl"), null, "/hf/mbart"),
            new TrainStage("vlp", vlp, Path.Combine(vlp, "events.jsonl"), null, Path.Combine(text, "best")),
            new TrainStage("slt", slt, Path.Combine(slt, "events.jsonl"), Path.Combine(vlp, "best"), Path.Combine(text, "best")),
        ], stages);
    }

    [Fact]
    public void For_Defaults_PassesOnlyTheSetOptions()
    {
        var request = new RunRequest { Phase = RunPhases.Slt, Dataset = "d" };
        var stage = TrainArguments.Plan(request, RunFolder)[0];

        var args = TrainArguments.For(request, stage, Data, resume: false);

        Assert.Equal(
        [
            "train", "slt", "--data", Data, "--out", stage.OutDir, "--preset", "tiny", "--epochs", "30", "--batch-size", "8",
            "--accumulate", "1", "--amp", "none", "--device", "cpu", "--world-size", "1", "--seed", "42", "--log-every", "10",
            "--beams", "5", "--events", stage.EventsFile,
        ], args);
    }

    [Fact]
    public void For_EveryOption_IsUnderstoodByTheRealCommandLine()
    {
        var request = new RunRequest
        {
            Phase = RunPhases.Slt, Dataset = "d", Preset = "base", Epochs = 3, MaxSteps = 120, BatchSize = 16, Accumulate = 2,
            LrEncoder = 3e-4, LrDecoder = 5e-6, Patience = 4, MaxFrames = 200, Amp = "bf16", Device = "cuda:1", WorldSize = 2,
            LoaderWorkers = 0, Seed = 7, EvalEvery = 50, SaveEvery = 25, LogEvery = 5, Beams = 4,
            InitCheckpoint = "/ckpt/vlp/best", MBartFolder = "/hf/mbart",
        };
        var stage = TrainArguments.Plan(request, RunFolder)[0];

        var parsed = CliApp.CreateRoot().Parse([.. TrainArguments.For(request, stage, Data, resume: true)]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("slt", parsed.GetValue<string>("phase"));
        Assert.Equal(Data, parsed.GetValue<string>("--data"));
        Assert.Equal(stage.OutDir, parsed.GetValue<string>("--out"));
        Assert.Equal("base", parsed.GetValue<string>("--preset"));
        Assert.Equal(3, parsed.GetValue<int?>("--epochs"));
        Assert.Equal(120L, parsed.GetValue<long?>("--max-steps"));
        Assert.Equal(16, parsed.GetValue<int>("--batch-size"));
        Assert.Equal(2, parsed.GetValue<int>("--accumulate"));
        Assert.Equal(3e-4, parsed.GetValue<double?>("--lr-encoder"));
        Assert.Equal(5e-6, parsed.GetValue<double?>("--lr-decoder"));
        Assert.Equal(4, parsed.GetValue<int?>("--patience"));
        Assert.Equal(200, parsed.GetValue<int?>("--max-frames"));
        Assert.Equal("bf16", parsed.GetValue<string>("--amp"));
        Assert.Equal("cuda:1", parsed.GetValue<string>("--device"));
        Assert.Equal(2, parsed.GetValue<int>("--world-size"));
        Assert.Equal(0, parsed.GetValue<int?>("--loader-workers"));
        Assert.Equal(7, parsed.GetValue<int>("--seed"));
        Assert.Equal(50L, parsed.GetValue<long?>("--eval-every"));
        Assert.Equal(25L, parsed.GetValue<long?>("--save-every"));
        Assert.Equal(5, parsed.GetValue<int>("--log-every"));
        Assert.Equal(4, parsed.GetValue<int>("--beams"));
        Assert.Equal("/ckpt/vlp/best", parsed.GetValue<string?>("--init"));
        Assert.Equal("/hf/mbart", parsed.GetValue<string?>("--mbart"));
        Assert.Equal(stage.EventsFile, parsed.GetValue<string?>("--events"));
        Assert.True(parsed.GetValue<bool>("--resume"));
    }

    [Fact]
    public void For_LearningRates_AreWrittenWithInvariantDecimalPoints()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var request = new RunRequest { Dataset = "d", LrEncoder = 0.00025 };
            var args = TrainArguments.For(request, TrainArguments.Plan(request, RunFolder)[0], Data, resume: false);

            Assert.Equal("0.00025", args[args.ToList().IndexOf("--lr-encoder") + 1]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("cpu", 4, new[] { "cpu" })]
    [InlineData("cuda", 1, new[] { "cuda:0" })]
    [InlineData("cuda:2", 3, new[] { "cuda:2", "cuda:3", "cuda:4" })]
    public void DevicesOf_WorldSize_OneDevicePerProcessOnCuda(string device, int worldSize, string[] expected)
    {
        Assert.Equal(expected, TrainArguments.DevicesOf(device, worldSize));
    }
}
