using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public class RunRequestValidatorTests
{
    private const string Dataset = "phoenix-synth";
    private static readonly string ExistingFolder = Path.GetTempPath();
    private static readonly string MissingFolder = Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"));

    private static RunValidationContext Context(int? cudaDevices = null)
        => new([Dataset, "other"], path => path == ExistingFolder, cudaDevices);

    private static RunRequest Valid() => new() { Dataset = Dataset };

    [Fact]
    public void Validate_DefaultsWithKnownDataset_IsValid()
    {
        var result = RunRequestValidator.Validate(Valid(), Context());

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
    }

    [Fact]
    public void Defaults_MatchTheCli_AsDocumentedInTrainCommand()
    {
        // phoenix-slt train defaults (src/PhoenixSlt.Cli/Commands/TrainCommand.cs): preset tiny, batch 8, accumulate 1,
        // amp none, device cpu, world size 1, seed 42, beams 5, log every 10; optional values unset.
        var request = new RunRequest();

        Assert.Equal(("tiny", 8, 1, "none", "cpu", 1, 42, 5, 10),
            (request.Preset, request.BatchSize, request.Accumulate, request.Amp, request.Device, request.WorldSize, request.Seed, request.Beams, request.LogEvery));
        Assert.Null(request.MaxSteps);
        Assert.Null(request.LrEncoder);
        Assert.Null(request.LrDecoder);
        Assert.Null(request.Patience);
        Assert.Null(request.MaxFrames);
        Assert.Null(request.LoaderWorkers);
        Assert.Null(request.EvalEvery);
    }

    public static TheoryData<string, Action<RunRequest>> InvalidFields => new()
    {
        { nameof(RunRequest.Phase), r => r.Phase = "video" },
        { nameof(RunRequest.Dataset), r => r.Dataset = "" },
        { nameof(RunRequest.Dataset), r => r.Dataset = "missing" },
        { nameof(RunRequest.Preset), r => r.Preset = "large" },
        { nameof(RunRequest.Epochs), r => r.Epochs = 0 },
        { nameof(RunRequest.MaxSteps), r => r.MaxSteps = -5 },
        { nameof(RunRequest.BatchSize), r => r.BatchSize = 0 },
        { nameof(RunRequest.BatchSize), r => r.BatchSize = RunRequestValidator.MaxBatchSize + 1 },
        { nameof(RunRequest.Accumulate), r => r.Accumulate = 0 },
        { nameof(RunRequest.LrEncoder), r => r.LrEncoder = 0 },
        { nameof(RunRequest.LrEncoder), r => r.LrEncoder = double.NaN },
        { nameof(RunRequest.LrDecoder), r => r.LrDecoder = 2 },
        { nameof(RunRequest.Patience), r => r.Patience = 0 },
        { nameof(RunRequest.MaxFrames), r => r.MaxFrames = 0 },
        { nameof(RunRequest.Amp), r => r.Amp = "fp8" },
        { nameof(RunRequest.Device), r => r.Device = "gpu0" },
        { nameof(RunRequest.Device), r => r.Device = "cuda:x" },
        { nameof(RunRequest.WorldSize), r => r.WorldSize = 0 },
        { nameof(RunRequest.LoaderWorkers), r => r.LoaderWorkers = -1 },
        { nameof(RunRequest.EvalEvery), r => r.EvalEvery = 0 },
        { nameof(RunRequest.SaveEvery), r => r.SaveEvery = 0 },
        { nameof(RunRequest.LogEvery), r => r.LogEvery = 0 },
        { nameof(RunRequest.Beams), r => r.Beams = 0 },
        { nameof(RunRequest.InitCheckpoint), r => r.InitCheckpoint = MissingFolder },
        { nameof(RunRequest.InitCheckpoint), r => r.InitCheckpoint = "relative/best" },
        { nameof(RunRequest.MBartFolder), r => r.MBartFolder = MissingFolder },
        { nameof(RunRequest.Name), r => r.Name = new string('x', RunRequestValidator.MaxNameLength + 1) },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Validate_OneBadField_ReportsExactlyThatField(string field, Action<RunRequest> spoil)
    {
        var request = Valid();
        spoil(request);

        var result = RunRequestValidator.Validate(request, Context());

        Assert.Equal(new[] { field }, result.Errors.Keys);
        Assert.All(result.For(field), message => Assert.EndsWith(".", message));
    }

    [Fact]
    public void Validate_NoEpochsAndNoMaxSteps_AsksForABudget()
    {
        var request = Valid();
        request.Epochs = null;
        request.MaxSteps = null;

        var result = RunRequestValidator.Validate(request, Context());

        Assert.Contains("epochs or max steps", result.FirstFor(nameof(RunRequest.Epochs)));
    }

    [Fact]
    public void Validate_OnlyMaxSteps_IsValid()
    {
        var request = Valid();
        request.Epochs = null;
        request.MaxSteps = 10;

        Assert.True(RunRequestValidator.Validate(request, Context()).IsValid);
    }

    [Fact]
    public void Validate_UnknownDataset_ListsTheDatasetsThatExist()
    {
        var request = Valid();
        request.Dataset = "nope";

        string? message = RunRequestValidator.Validate(request, Context()).FirstFor(nameof(RunRequest.Dataset));

        Assert.Contains("phoenix-synth, other", message);
    }

    [Fact]
    public void Validate_PipelineWithInitCheckpoint_ExplainsThatThePipelineChainsItsOwn()
    {
        var request = Valid();
        request.Phase = RunPhases.Pipeline;
        request.InitCheckpoint = ExistingFolder;

        string? message = RunRequestValidator.Validate(request, Context()).FirstFor(nameof(RunRequest.InitCheckpoint));

        Assert.Contains("pipeline", message);
    }

    [Fact]
    public void Validate_ExistingInitAndMBartFolders_AreAccepted()
    {
        var request = Valid();
        request.InitCheckpoint = ExistingFolder;
        request.MBartFolder = ExistingFolder;

        Assert.True(RunRequestValidator.Validate(request, Context()).IsValid);
    }

    [Theory]
    [InlineData("cuda", 1, 0, false)]
    [InlineData("cuda", 1, 1, true)]
    [InlineData("cuda:1", 1, 1, false)]
    [InlineData("cuda:0", 2, 1, false)]
    [InlineData("cuda:0", 2, 2, true)]
    [InlineData("CPU", 4, 0, true)]
    public void Validate_DeviceAgainstCudaCount_ChecksEveryDeviceOfTheWorld(string device, int worldSize, int cudaDevices, bool valid)
    {
        var request = Valid();
        request.Device = device;
        request.WorldSize = worldSize;

        var result = RunRequestValidator.Validate(request, Context(cudaDevices));

        Assert.Equal(valid, result.IsValid);
        if (!valid)
            Assert.Equal(new[] { nameof(RunRequest.Device) }, result.Errors.Keys);
    }

    [Fact]
    public void Validate_CudaWithUnknownDeviceCount_OnlyChecksTheSpelling()
    {
        var request = Valid();
        request.Device = "cuda:3";

        Assert.True(RunRequestValidator.Validate(request, Context(cudaDevices: null)).IsValid);
    }

    [Fact]
    public void ValidateField_BadBatchSize_GivesTheMessageForThatFieldOnly()
    {
        var request = Valid();
        request.BatchSize = -1;
        request.Beams = 0;

        Assert.Equal("Batch size must be between 1 and 4096 (got -1).", RunRequestValidator.ValidateField(request, nameof(RunRequest.BatchSize), Context()));
        Assert.Null(RunRequestValidator.ValidateField(request, nameof(RunRequest.Seed), Context()));
    }
}
