using System.Text.Json;
using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Training.Tests.Specs;

/// The run spec's field table, JSON and validation.
public sealed class RunSpecTests
{
    /// A valid value of <paramref name="field"/> that differs from its default (used to prove a field travels).
    public static object ChangedValue(SpecField field)
    {
        if (field.Choices is { } choices)
            return field.Name == "phase" ? TrainingPhaseNames.Vlp : choices.Last(c => !Equals(c, field.Default));
        if (field.IsSwitch)
            return !(bool)field.Default!;
        if (field.ValueType == typeof(string))
            return field.IsPath ? Path.Combine(Path.GetTempPath(), "spec-" + field.Name) : field.Name == "device" ? "cuda:1" : "x-" + field.Name;
        foreach (double candidate in new[] { 2.0, 0.5, 3.0 })
        {
            object value = field.ValueType == typeof(int) ? (object)(int)candidate : field.ValueType == typeof(long) ? (object)(long)candidate : candidate;
            if ((field.ValueType == typeof(double) || candidate == Math.Floor(candidate)) && !Equals(value, field.Default) && field.Check(value) is null)
                return value;
        }
        throw new InvalidOperationException($"no changed value for {field.Name}");
    }

    /// Every field set to a changed value.
    public static RunSpec Changed()
    {
        var spec = new RunSpec();
        foreach (var field in RunSpecFields.All)
            field.Set(spec, ChangedValue(field));
        return spec;
    }

    [Fact]
    public void Fields_EveryAttributedProperty_WithSnakeCaseNameKebabFlagAndHelp()
    {
        var attributed = typeof(RunSpec).GetProperties().Where(p => p.IsDefined(typeof(SpecFieldAttribute), false)).Select(p => p.Name).ToList();

        Assert.Equal(attributed.Order(), RunSpecFields.All.Select(f => f.PropertyName).Order());
        Assert.All(RunSpecFields.All, f =>
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", f.Name);
            Assert.Equal("--" + f.Name.Replace('_', '-'), f.Flag);
            Assert.False(string.IsNullOrWhiteSpace(f.Help));
            Assert.True(f.IsOptional || f.Default is not null, $"{f.Name} is required but has no default");
            if (f.Default is not null)
                Assert.Null(f.Check(f.Default));   // every default is allowed by its own limits
        });
        Assert.Equal(RunSpecFields.All.Count, RunSpecFields.All.Select(f => f.Flag).Distinct().Count());
        Assert.Single(RunSpecFields.All, f => f.IsArgument);
    }

    [Fact]
    public void Json_EveryFieldChanged_RoundTripsWithSnakeCaseNames()
    {
        var spec = Changed();

        string json = RunSpecJson.Write(spec);
        var (back, problems) = RunSpecJson.Read(json);

        Assert.True(problems.IsValid, string.Join(" ", problems.Messages));
        Assert.Equal(spec, back);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(RunSpecFields.All.Select(f => f.Name), document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, document.RootElement.GetProperty("batch_size").GetInt32());
        Assert.Equal("vlp", document.RootElement.GetProperty("phase").GetString());
    }

    [Fact]
    public void Json_Empty_GivesTheDefaults()
    {
        var (spec, problems) = RunSpecJson.Read("{}");

        Assert.True(problems.IsValid);
        Assert.Equal(new RunSpec(), spec);
        Assert.Equal((8, (double?)null, "tiny"), (spec.BatchSize, spec.LrEncoder, spec.Preset));
    }

    [Fact]
    public void Json_UnknownFieldsAndWrongKinds_NameTheFieldAndWhatIsAllowed()
    {
        var (spec, problems) = RunSpecJson.Read("""{"batchsize": 4, "batch_size": "abc", "epochs": null, "seed": null, "amp": 3, "beams": true, "lr_encoder": "3e-4"}""");

        Assert.StartsWith("batchsize is not a setting; known settings: phase, name, data,", problems.FirstFor("batchsize"));
        Assert.Equal("batch_size 'abc' is not a whole number; allowed: a whole number from 1 to 4096.", problems.FirstFor("batch_size"));
        Assert.Equal("seed is null; allowed: a whole number.", problems.FirstFor("seed"));
        Assert.Equal("amp is a number in the JSON; allowed: none, bf16, fp16.", problems.FirstFor("amp"));
        Assert.Equal("beams is true in the JSON; allowed: a whole number from 1 to 32.", problems.FirstFor("beams"));
        Assert.Null(spec.Epochs);                  // null is allowed: it means "only max_steps limits the run"
        Assert.Equal(3e-4, spec.LrEncoder);        // numbers may be given as strings
        Assert.Empty(problems.For("epochs"));
    }

    [Theory]
    [InlineData("[1, 2]", "The run spec must be a JSON object of settings, not array.")]
    [InlineData("{", "The run spec is not valid JSON")]
    public void Json_NotAnObject_IsAProblemOfTheSpec(string json, string expected)
        => Assert.StartsWith(expected, RunSpecJson.Read(json).Problems.FirstFor("spec"));

    [Theory]
    [InlineData("batch_size", "0", "batch_size 0 is out of range; allowed: a whole number from 1 to 4096.")]
    [InlineData("batch_size", "4097", "batch_size 4097 is out of range; allowed: a whole number from 1 to 4096.")]
    [InlineData("lr_encoder", "0", "lr_encoder 0 is out of range; allowed: a number above 0 and at most 1, or empty for the preset's: 2e-3 for tiny, 1e-3 for small, 1e-4 for base.")]
    [InlineData("lr_decoder", "1.5", "lr_decoder 1.5 is out of range; allowed: a number above 0 and at most 1, or empty for 5e-6 for pretrained mBART weights (mbart-large-cc25), the encoder's rate for a decoder from scratch or from a text-phase run of ours.")]
    [InlineData("label_smoothing", "1", "label_smoothing 1 is out of range; allowed: a number from 0 and below 1, or empty for the preset's (0.1).")]
    [InlineData("patience", "-1", "patience -1 is out of range; allowed: a whole number of at least 0, or empty for 5.")]
    [InlineData("warmup_steps", "-1", "warmup_steps -1 is out of range; allowed: a whole number of at least 0, or empty for 5 % of the run.")]
    [InlineData("amp", "fp32", "amp 'fp32' is not allowed; allowed: none, bf16, fp16.")]
    [InlineData("preset", "huge", "preset 'huge' is not allowed; allowed: tiny, small, base.")]
    [InlineData("phase", "gloss", "phase 'gloss' is not allowed; allowed: text, vlp, slt, pipeline.")]
    [InlineData("device", "gpu", "device 'gpu' is not a device; allowed: cpu, cuda or cuda:N (N = 0, 1, …).")]
    public void Validate_OneBadValue_NamesTheFieldTheValueAndWhatIsAllowed(string name, string text, string expected)
    {
        var field = RunSpecFields.Get(name);
        var spec = new RunSpec { Data = "d" };
        Assert.True(field.TryParse(text, out object? value, out _));
        field.Set(spec, value);

        var problems = spec.Validate(SpecContext.ValuesOnly);

        Assert.Equal([expected], problems.Messages);
    }

    [Theory]
    [InlineData(null, null, RunSpec.DefaultEpochs)]   // no budget at all: the default number of epochs
    [InlineData(null, 100L, null)]                    // only max_steps limits the run
    [InlineData(4, null, 4)]
    [InlineData(4, 100L, 4)]                          // both: whichever ends first
    public void EffectiveEpochs_DefaultOnlyWithoutAnyBudget(int? epochs, long? maxSteps, int? expected)
        => Assert.Equal(expected, new RunSpec { Epochs = epochs, MaxSteps = maxSteps }.EffectiveEpochs);

    [Fact]
    public void Validate_CommandLine_NeedsAnExistingDataFolderAndAnOutThatIsNoFile()
    {
        string file = Path.GetTempFileName();
        try
        {
            var problems = new RunSpec { Data = "/no/such/folder", Out = file }.Validate(SpecContext.CommandLine);

            Assert.Equal("data '/no/such/folder': folder not found; give a dataset root with annotations/, kpts/ and siglip_vitb16/ (`phoenix-slt synth` writes one).", problems.FirstFor("data"));
            Assert.Equal($"out '{file}' is a file; give a folder for the checkpoints.", problems.FirstFor("out"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FormatThenParse_EveryFieldChanged_GivesTheValueBack()
    {
        foreach (var field in RunSpecFields.All)
        {
            object value = ChangedValue(field);
            Assert.True(field.TryParse(field.Format(value), out object? back, out string? error), error);
            Assert.Equal(value, back);
        }
        var lr = RunSpecFields.Get("lr_encoder");
        Assert.True(lr.TryParse("3e-4", out object? parsed, out _));
        Assert.Equal(3e-4, parsed);
        Assert.True(RunSpecFields.Get("patience").TryParse(" ", out object? empty, out _));
        Assert.Null(empty);
        Assert.False(RunSpecFields.Get("seed").TryParse("", out _, out string? required));
        Assert.Equal("seed is empty; allowed: a whole number.", required);
    }

    [Theory]
    [InlineData(null, RunSpec.DefaultPatience)]  // early stopping is on by default
    [InlineData(0, null)]                        // 0 = never stop early
    [InlineData(3, 3)]
    public void EffectivePatience_DefaultsOnAndZeroTurnsItOff(int? given, int? expected)
        => Assert.Equal(expected, new RunSpec { Patience = given }.EffectivePatience);

    [Fact]
    public void Switch_ParsesTrueAndFalse_InTextAndJson_AndSaysWhatIsAllowed()
    {
        var field = RunSpecFields.Get("augment");
        Assert.True(field.IsSwitch);
        Assert.False(field.IsNumber);
        Assert.Equal(false, field.Default);
        Assert.True(field.TryParse("true", out object? on, out _));
        Assert.Equal(true, on);
        Assert.Equal("true", field.Format(true));
        Assert.False(field.TryParse("maybe", out _, out string? error));
        Assert.Equal("augment 'maybe' is not true or false; allowed: true or false.", error);

        var (spec, problems) = RunSpecJson.Read("""{"augment": true, "aug_rotation": 0}""");
        Assert.True(problems.IsValid, string.Join(" ", problems.Messages));
        Assert.True(spec.Augment);
        Assert.Contains("\"augment\": true", RunSpecJson.Write(spec));
        var (_, wrong) = RunSpecJson.Read("""{"augment": 1, "name": true}""");
        Assert.Equal("augment is a number in the JSON; allowed: true or false.", wrong.FirstFor("augment"));
        Assert.Equal("name is true in the JSON; allowed: at most 100 characters, or empty for \"<phase> on <dataset>\".", wrong.FirstFor("name"));
    }

    [Fact]
    public void Augmentation_OffOrAllZero_IsNone_OnGivesEveryStrength()
    {
        Assert.Null(new RunSpec().Augmentation());
        Assert.Null(new RunSpec { Augment = true, AugRotation = 0, AugScale = 0, AugShift = 0, AugSpeed = 0, AugFrameDrop = 0, AugHandDrop = 0 }.Augmentation());
        var options = new RunSpec { Augment = true, AugSpeed = 0 }.Augmentation();
        Assert.Equal(new Core.Data.Augmentation.AugmentationOptions { RotationDegrees = 10, Scale = 0.1, Shift = 0.1, Speed = 0, FrameDrop = 0.1, HandDrop = 0.05 }, options);
        Assert.Equal("off", new RunSpec { Augment = true }.DescribeAugmentation(TrainingPhase.Text));
        Assert.All(RunSpecFields.All.Where(f => f.Name.StartsWith("aug", StringComparison.Ordinal)), f => Assert.Equal("Augmentation", f.Section));
    }

    [Fact]
    public void WithAbsolutePaths_MakesEveryPathFieldAbsoluteAndLeavesTheRest()
    {
        var spec = new RunSpec { Data = "data", Out = "runs/a", Init = " ", Mbart = null, Name = "n" }.WithAbsolutePaths();

        Assert.Equal(Path.GetFullPath("data"), spec.Data);
        Assert.Equal(Path.GetFullPath("runs/a"), spec.Out);
        Assert.Null(spec.Init);
        Assert.Equal("n", spec.Name);
    }
}
