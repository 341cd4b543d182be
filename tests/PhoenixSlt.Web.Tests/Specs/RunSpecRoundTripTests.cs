using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Specs;

/// One run spec from the command line to the training process: every field travels CLI flags → spec → JSON →
/// POST /api/runs → the stored run (what the form and Run detail show) → `train --spec` of the stage the portal
/// starts; and an invalid spec gets the same messages from `phoenix-slt train` and from the API.
public sealed class RunSpecRoundTripTests(TrainingDatasetFixture data) : IClassFixture<TrainingDatasetFixture>, IDisposable
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-spec-roundtrip");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    private string DatasetFolder => Path.Combine(data.Root, TrainingDatasetFixture.DatasetName);

    /// Every field changed from its default (a vlp run, so that init is allowed), with folders that exist.
    private RunSpec ChangedSpec()
    {
        var spec = new RunSpec();
        foreach (var field in RunSpecFields.All)
        {
            object value = field.Choices is { } choices
                ? field.Name == "phase" ? TrainingPhaseNames.Vlp : choices.Last(c => !Equals(c, field.Default))
                : field.IsSwitch ? !(bool)field.Default!
                : field.ValueType == typeof(string) ? field.Name == "device" ? "cuda:1" : "x-" + field.Name
                : ChangedNumber(field);
            field.Set(spec, value);
        }
        string init = Directory.CreateDirectory(Path.Combine(_state, "init")).FullName;
        string mbart = Directory.CreateDirectory(Path.Combine(_state, "mbart")).FullName;
        return spec with { Data = DatasetFolder, Out = Path.Combine(_state, "out"), Init = init, Mbart = mbart };
    }

    private static object ChangedNumber(SpecField field)
    {
        foreach (double candidate in new[] { 2.0, 0.5, 3.0 })
        {
            object value = field.ValueType == typeof(int) ? (object)(int)candidate : field.ValueType == typeof(long) ? (object)(long)candidate : candidate;
            if ((field.ValueType == typeof(double) || candidate == Math.Floor(candidate)) && !Equals(value, field.Default) && field.Check(value) is null)
                return value;
        }
        throw new InvalidOperationException($"no changed value for {field.Name}");
    }

    private static (RunSpec Spec, SpecProblems Problems) ParseTrain(IReadOnlyList<string> arguments)
    {
        var parsed = new RootCommand { TrainCommand.Create() }.Parse([.. arguments]);
        Assert.Empty(parsed.Errors);
        return TrainCommand.Resolve(new TrainSpecOptions().Read(parsed));
    }

    [Fact]
    public async Task EveryField_TravelsFromFlagsThroughJsonAndTheApiToTheStagesTrainSpec()
    {
        var spec = ChangedSpec();
        Assert.All(RunSpecFields.All, f => Assert.NotEqual(f.Default, f.Get(spec)));

        // CLI flags → spec
        var (fromFlags, flagProblems) = ParseTrain(["train", .. TrainSpecOptions.ToArguments(spec)]);
        Assert.True(flagProblems.IsValid, string.Join(" ", flagProblems.Messages));
        Assert.Equal(spec, fromFlags);

        // spec → JSON → API (the portal names the dataset; it chooses out itself)
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(RunSpecJson.Write(fromFlags))!;
        body["data"] = JsonSerializer.SerializeToElement(TrainingDatasetFixture.DatasetName);
        body.Remove("out");
        await using var host = new TrainingTestHost(data, _state);
        using var response = await host.Client.PostAsync("/api/runs", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        int id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await host.Client.PostAsync($"/api/runs/{id}/cancel", null);    // nothing needs to train here

        // the stored run, as GET /api/runs/{id} (and the form and Run detail) see it: resolved data and out
        var details = await host.Client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        string outputFolder = details.GetProperty("run").GetProperty("outputFolder").GetString()!;
        var (stored, storedProblems) = RunSpecJson.Read(details.GetProperty("config").GetRawText());
        Assert.True(storedProblems.IsValid, string.Join(" ", storedProblems.Messages));
        Assert.Equal(spec with { Out = PipelinePlan.RunOut(outputFolder, spec.Phase) }, stored);

        // the resolved spec → RUN/spec.json → `train --spec RUN/spec.json --stage vlp …` (what the supervisor starts)
        string specFile = RunSpecJson.Save(stored, outputFolder);
        var stage = Assert.Single(PipelinePlan.Stages(stored));
        var arguments = TrainCommand.StageArguments(specFile, stage, resume: true);
        var (trained, trainProblems) = ParseTrain(arguments);
        Assert.True(trainProblems.IsValid, string.Join(" ", trainProblems.Messages));
        Assert.Equal(stage.Spec, trained);
        Assert.Equal(["--stage", "vlp", "--events", stage.EventsFile, "--resume"], arguments.Skip(3));
    }

    [Fact]
    public async Task Defaults_PerDevice_AreRunSpecDefaultsAsSnakeCaseJson()
    {
        await using var host = new TrainingTestHost(data, _state);

        var cpu = await host.Client.GetFromJsonAsync<JsonElement>("/api/runs/defaults?device=cpu");
        var gpu = await host.Client.GetFromJsonAsync<JsonElement>("/api/runs/defaults?device=cuda:0");

        Assert.Equal((RunSpecDefaults.CpuBeams, RunSpecDefaults.CpuEpochs), (cpu.GetProperty("beams").GetInt32(), cpu.GetProperty("epochs").GetInt32()));
        Assert.Equal(new RunSpec().Beams, gpu.GetProperty("beams").GetInt32());
        Assert.Equal(JsonValueKind.Null, gpu.GetProperty("epochs").ValueKind);   // RunSpec's: 30 unless max_steps is given
        Assert.Equal("cuda:0", gpu.GetProperty("device").GetString());
        Assert.Equal(new RunSpec().BatchSize, cpu.GetProperty("batch_size").GetInt32());
    }

    [Fact]
    public async Task InvalidSpec_SameMessagesFromTheCommandLineAndTheApi()
    {
        string[] flags = ["--batch-size", "0", "--lr-encoder", "5", "--beams", "0", "--amp", "fp32", "--weight-decay", "-1"];
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = new RootCommand { TrainCommand.Create() }
            .Parse(["train", "slt", "--data", DatasetFolder, "--out", Path.Combine(_state, "cli-out"), .. flags])
            .Invoke(new InvocationConfiguration { Output = output, Error = error });
        string[] cliMessages = [.. error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.StartsWith("train: ", StringComparison.Ordinal) ? l[7..] : l)];

        await using var host = new TrainingTestHost(data, _state);
        string json = """{"phase": "slt", "data": "synth", "batch_size": 0, "lr_encoder": 5, "beams": 0, "amp": "fp32", "weight_decay": -1}""";
        using var response = await host.Client.PostAsync("/api/runs", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        string[] apiMessages = [.. problem.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!))];

        Assert.Equal(TrainCommand.ExitFailed, exit);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(5, cliMessages.Length);
        Assert.Equal(cliMessages.Order(), apiMessages.Order());
        Assert.Contains("batch_size 0 is out of range; allowed: a whole number from 1 to 4096.", apiMessages);
        Assert.False(Directory.Exists(Path.Combine(_state, "cli-out")), "nothing was trained");
    }
}
