using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Web.Tests.Runs;

/// The spec's one validation in the portal's context (<see cref="PhoenixSlt.Web.Services.Runs.RunService.ValidationContext"/>):
/// data names a dataset under the data root, the portal assigns out, folders must be absolute, CUDA devices are
/// counted.
public class PortalSpecValidationTests
{
    private const string Dataset = "phoenix-synth";
    private static readonly string ExistingFolder = Path.GetTempPath();
    private static readonly string MissingFolder = Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"));

    /// The portal's context as RunService builds it, over a fake file system.
    private static SpecContext Portal(int? cudaDevices = null) => new()
    {
        Datasets = [Dataset, "other"],
        OutAssigned = true,
        AbsolutePathsOnly = true,
        CudaDeviceCount = cudaDevices,
        FolderExists = path => path == ExistingFolder,
        FileExists = _ => false,
    };

    private static RunSpec Valid() => new() { Data = Dataset };

    private static string Describe(SpecProblems problems) => string.Join("; ", problems.Messages);

    [Fact]
    public void Validate_DefaultsWithKnownDataset_IsValid()
    {
        var problems = Valid().Validate(Portal());

        Assert.True(problems.IsValid, Describe(problems));
    }

    [Fact]
    public void Defaults_AreTheTrainDefaults()
    {
        // `phoenix-slt train` takes its defaults from the same type: preset tiny, 30 epochs (when no budget is given), batch 8, accumulate 1,
        // amp none, device cpu, world size 1, seed 42, beams 5, log every 10; the optional budgets unset.
        var spec = new RunSpec();

        Assert.Equal(("slt", "tiny", 30, 8, 1, "none", "cpu", 1, 42, 5, 10),
            (spec.Phase, spec.Preset, spec.EffectiveEpochs, spec.BatchSize, spec.Accumulate, spec.Amp, spec.Device, spec.WorldSize, spec.Seed, spec.Beams, spec.LogEvery));
        Assert.Null(spec.Epochs);
        Assert.Null(spec.LrEncoder);                                   // the preset's: 2e-3 for tiny, 1e-3 for small, 1e-4 for base
        Assert.Null(spec.MaxSteps);
        Assert.Null(spec.LrDecoder);
        Assert.Null(spec.Patience);
        Assert.Null(spec.MaxFrames);
        Assert.Null(spec.LoaderWorkers);
        Assert.Null(spec.EvalEvery);
        Assert.Null(spec.Init);
        Assert.Null(spec.Mbart);
        Assert.Null(spec.Out);
    }

    public static TheoryData<string, Action<RunSpec>> InvalidFields => new()
    {
        { "phase", s => s.Phase = "video" },
        { "data", s => s.Data = "" },
        { "data", s => s.Data = null },
        { "data", s => s.Data = "missing" },
        { "preset", s => s.Preset = "large" },
        { "epochs", s => s.Epochs = 0 },
        { "max_steps", s => s.MaxSteps = -5 },
        { "batch_size", s => s.BatchSize = 0 },
        { "batch_size", s => s.BatchSize = 4097 },
        { "accumulate", s => s.Accumulate = 0 },
        { "lr_encoder", s => s.LrEncoder = 0 },
        { "lr_encoder", s => s.LrEncoder = double.NaN },
        { "lr_decoder", s => s.LrDecoder = 2 },
        { "patience", s => s.Patience = -1 },
        { "max_frames", s => s.MaxFrames = 0 },
        { "amp", s => s.Amp = "fp8" },
        { "device", s => s.Device = "gpu0" },
        { "device", s => s.Device = "cuda:x" },
        { "world_size", s => s.WorldSize = 0 },
        { "loader_workers", s => s.LoaderWorkers = -1 },
        { "eval_every", s => s.EvalEvery = 0 },
        { "save_every", s => s.SaveEvery = 0 },
        { "log_every", s => s.LogEvery = 0 },
        { "beams", s => s.Beams = 0 },
        { "init", s => s.Init = MissingFolder },
        { "init", s => s.Init = "relative/best" },
        { "mbart", s => s.Mbart = MissingFolder },
        { "mbart", s => s.Mbart = "relative/mbart" },
        { "name", s => s.Name = new string('x', 101) },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Validate_OneBadField_ReportsExactlyThatField(string field, Action<RunSpec> spoil)
    {
        var spec = Valid();
        spoil(spec);

        var problems = spec.Validate(Portal());

        Assert.Equal([field], problems.Errors.Keys);
        Assert.All(problems.For(field), message => Assert.EndsWith(".", message));
        Assert.All(problems.For(field), message => Assert.StartsWith(field, message));
    }

    [Fact]
    public void Validate_NameOfHundredCharacters_IsAccepted()
    {
        var spec = Valid();
        spec.Name = new string('x', 100);

        Assert.True(spec.Validate(Portal()).IsValid);
    }

    [Fact]
    public void Validate_NoEpochsAndNoMaxSteps_IsValidAndTrainsTheDefaultEpochs()
    {
        var spec = Valid();
        spec.Epochs = null;
        spec.MaxSteps = null;

        Assert.True(spec.Validate(Portal()).IsValid);
        Assert.Equal(30, spec.EffectiveEpochs);
    }

    [Fact]
    public void Validate_OnlyMaxSteps_IsValidAndMaxStepsAloneLimitsTheRun()
    {
        var spec = Valid();
        spec.Epochs = null;
        spec.MaxSteps = 10;

        Assert.True(spec.Validate(Portal()).IsValid);
        Assert.Null(spec.EffectiveEpochs);
    }

    [Fact]
    public void Validate_EpochsAndMaxSteps_BothLimitTheRun()
    {
        var spec = Valid();
        spec.Epochs = 2;
        spec.MaxSteps = 10;

        Assert.True(spec.Validate(Portal()).IsValid);
        Assert.Equal(2, spec.EffectiveEpochs);
    }

    [Fact]
    public void Validate_UnknownDataset_ListsTheDatasetsThatExist()
    {
        var spec = Valid();
        spec.Data = "nope";

        string? message = spec.Validate(Portal()).FirstFor("data");

        Assert.Contains("phoenix-synth, other", message);
    }

    [Fact]
    public void Validate_NoDatasetsAtAll_SaysTheDataRootIsEmpty()
    {
        var spec = Valid();

        string? message = spec.Validate(Portal() with { Datasets = [] }).FirstFor("data");

        Assert.Contains("holds no dataset yet", message);
    }

    [Fact]
    public void Validate_DatasetName_IsANameNotAFolder()
    {
        // an existing folder is not a dataset name of the portal; a name is not checked as a folder
        var folder = Valid();
        folder.Data = ExistingFolder;
        var name = Valid();

        Assert.Equal(["data"], folder.Validate(Portal()).Errors.Keys);
        Assert.True(name.Validate(Portal() with { FolderExists = _ => false }).IsValid);
    }

    [Fact]
    public void Validate_NoOut_IsFineBecauseThePortalAssignsIt()
    {
        var spec = Valid();

        Assert.True(spec.Validate(Portal()).IsValid);
        Assert.Equal(["out"], spec.Validate(Portal() with { OutAssigned = false }).Errors.Keys);
    }

    [Fact]
    public void Validate_RelativeFolders_AreRefusedEvenWhenTheyExist()
    {
        var spec = Valid();
        spec.Init = "relative/best";
        spec.Mbart = "relative/mbart";

        var problems = spec.Validate(Portal() with { FolderExists = _ => true });

        Assert.Equal(["init", "mbart"], problems.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("not an absolute path", problems.FirstFor("init"));
        Assert.Contains("not an absolute path", problems.FirstFor("mbart"));
        Assert.True(spec.Validate(Portal() with { FolderExists = _ => true, AbsolutePathsOnly = false }).IsValid);
    }

    [Fact]
    public void Validate_PipelineWithInitCheckpoint_ExplainsThatThePipelineChainsItsOwn()
    {
        var spec = Valid();
        spec.Phase = TrainingPhaseNames.Pipeline;
        spec.Init = ExistingFolder;

        var problems = spec.Validate(Portal());

        Assert.Equal(["init"], problems.Errors.Keys);
        Assert.Contains("pipeline", problems.FirstFor("init"));
    }

    [Fact]
    public void Validate_PipelineWithMBartFolder_IsValid()
    {
        var spec = Valid();
        spec.Phase = TrainingPhaseNames.Pipeline;
        spec.Mbart = ExistingFolder;

        Assert.True(spec.Validate(Portal()).IsValid);
    }

    [Fact]
    public void Validate_ExistingInitAndMBartFolders_AreAccepted()
    {
        var spec = Valid();
        spec.Init = ExistingFolder;
        spec.Mbart = ExistingFolder;

        Assert.True(spec.Validate(Portal()).IsValid);
    }

    [Theory]
    [InlineData("cuda", 1, 0, false)]
    [InlineData("cuda", 1, 1, true)]
    [InlineData("cuda:1", 1, 1, false)]
    [InlineData("cuda:0", 2, 1, false)]
    [InlineData("cuda:0", 2, 2, true)]
    [InlineData("cuda:1", 2, 3, true)]
    [InlineData("CPU", 4, 0, true)]
    public void Validate_DeviceAgainstCudaCount_ChecksEveryDeviceOfTheWorld(string device, int worldSize, int cudaDevices, bool valid)
    {
        var spec = Valid();
        spec.Device = device;
        spec.WorldSize = worldSize;

        var problems = spec.Validate(Portal(cudaDevices));

        Assert.Equal(valid, problems.IsValid);
        if (!valid)
            Assert.Equal(["device"], problems.Errors.Keys);
    }

    [Fact]
    public void Validate_CudaWithUnknownDeviceCount_OnlyChecksTheSpelling()
    {
        var spec = Valid();
        spec.Device = "cuda:3";

        Assert.True(spec.Validate(Portal(cudaDevices: null)).IsValid);
    }

    [Fact]
    public void Validate_BadBatchSize_GivesTheMessageForThatFieldOnly()
    {
        var spec = Valid();
        spec.BatchSize = -1;
        spec.Beams = 0;

        var problems = spec.Validate(Portal());

        // batch_size is declared with Min = 1, Max = 4096
        Assert.Equal("batch_size -1 is out of range; allowed: a whole number from 1 to 4096.", problems.FirstFor("batch_size"));
        Assert.Equal(["batch_size", "beams"], problems.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Null(problems.FirstFor("seed"));
    }
}
