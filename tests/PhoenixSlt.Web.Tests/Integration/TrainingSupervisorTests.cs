using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Integration;

/// The supervisor's queue, stage chaining and dead-process handling on real Kestrel with real processes.
public sealed class TrainingSupervisorTests(TrainingDatasetFixture data) : IClassFixture<TrainingDatasetFixture>, IDisposable
{
    private readonly string _state = TestPaths.NewTempDir("phoenix-training-state");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    [Fact]
    public async Task Pipeline_TinyRun_ChainsTextVlpAndSltStagesToCompletion()
    {
        await using var host = new TrainingTestHost(data, _state);
        var request = TrainingTestHost.TinySlt(maxSteps: 2);
        request.Phase = TrainingPhaseNames.Pipeline;

        var created = await host.CreateRunAsync(request);
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Completed, "completed");

        Assert.Equal(("slt", 3), (run.Stage, run.Attempts));
        var losses = await host.MetricsAsync(run.Id, "loss");
        Assert.Equal(["text", "text", "vlp", "vlp", "slt", "slt"], losses.Select(m => m.Stage));
        Assert.Equal([1L, 2L, 1L, 2L, 1L, 2L], losses.Select(m => m.Step));
        string log = await host.LogTextAsync(run.Id);
        string specFile = Path.Combine(run.OutputFolder, RunSpecJson.FileName);
        string text = Path.Combine(run.OutputFolder, "text"), vlp = Path.Combine(run.OutputFolder, "vlp"), slt = Path.Combine(run.OutputFolder, "slt");
        foreach (var (stage, folder) in new[] { ("text", text), ("vlp", vlp), ("slt", slt) })
            Assert.Contains($"train --spec {specFile} --stage {stage} --events {Path.Combine(folder, "events.jsonl")}", log);
        // each stage trained from the previous stage's best checkpoint (the recipe its best/ checkpoint records)
        string dataset = Path.Combine(data.Root, TrainingDatasetFixture.DatasetName);
        var vlpRecipe = TrainingRecipe.Load(Path.Combine(vlp, "best"))!;
        var sltRecipe = TrainingRecipe.Load(Path.Combine(slt, "best"))!;
        Assert.Equal((dataset, (string?)null, Path.Combine(text, "best")), (vlpRecipe.Data, vlpRecipe.Init, vlpRecipe.MBart));
        Assert.Equal((dataset, Path.Combine(vlp, "best"), Path.Combine(text, "best")), (sltRecipe.Data, sltRecipe.Init, sltRecipe.MBart));
        foreach (string stage in new[] { "text", "vlp", "slt" })
            Assert.True(Directory.Exists(Path.Combine(run.OutputFolder, stage, "best")), $"{stage}/best missing");
    }

    [Fact]
    public async Task Queue_TwoRunsOnOneCpuSlot_RunOneAfterTheOther()
    {
        await using var host = new TrainingTestHost(data, _state);
        var first = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 3));
        var second = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 3));

        var overlaps = 0;
        DateTime deadline = DateTime.UtcNow + TrainingTestHost.RunTimeout;
        RunInfo a, b;
        do
        {
            // The second run first: it can only be running after the first completed, so reading it before the
            // first never pairs a stale "running" of the first with a fresh "running" of the second.
            b = await host.GetRunAsync(second.Id);
            a = await host.GetRunAsync(first.Id);
            if (a.Status == JobStatus.Running && b.Status == JobStatus.Running)
                overlaps++;
            await Task.Delay(100);
        }
        while ((a.Status != JobStatus.Completed || b.Status != JobStatus.Completed) && DateTime.UtcNow < deadline
               && !(a.Status.IsFinal() && a.Status != JobStatus.Completed) && !(b.Status.IsFinal() && b.Status != JobStatus.Completed));

        Assert.Equal((JobStatus.Completed, JobStatus.Completed), (a.Status, b.Status));
        Assert.Equal(0, overlaps);
        Assert.True(b.StartedAt >= a.FinishedAt, $"second started {b.StartedAt:O}, first finished {a.FinishedAt:O}");
    }

    [Fact]
    public async Task DeadProcess_WithoutFinishedEvent_FailsTheRunWithItsErrorOutput()
    {
        if (OperatingSystem.IsWindows())
            return;                                         // the stand-in CLI is a shell script
        string script = Path.Combine(_state, "dying-cli.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"loading the dataset\" >&2\necho \"native crash: out of memory\" >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var host = new TrainingTestHost(data, _state, new Dictionary<string, string?> { ["Phoenix:Training:CliPath"] = script });

        var created = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 3));
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Failed, "failed");

        Assert.Contains("exited with code 3 without reporting the end of the slt stage", run.Error);
        Assert.Contains("loading the dataset\nnative crash: out of memory", run.Error);
    }

    [Fact]
    public async Task MissingCli_RunFailsWithWhatToDo()
    {
        string missing = Path.Combine(_state, "nowhere", "phoenix-slt.dll");
        await using var host = new TrainingTestHost(data, _state, new Dictionary<string, string?> { ["Phoenix:Training:CliPath"] = missing });

        var created = await host.CreateRunAsync(TrainingTestHost.TinySlt(maxSteps: 3));
        var run = await host.WaitForAsync(created.Id, r => r.Status == JobStatus.Failed, "failed");

        Assert.Contains(missing, run.Error);
        Assert.Contains("Phoenix:Training:CliPath", run.Error);
    }
}
