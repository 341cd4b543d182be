using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Groups;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Groups;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// The group pages over a real Sqlite database: a group queued by the real RunGroupService, its runs then given
/// best checkpoints as the supervisor stores them.
public sealed class GroupPageTests : RunsTestContext
{
    private RunGroupService Groups => Services.GetRequiredService<RunGroupService>();

    private RunGroupInfo CreateGroup(string kind, int seeds)
    {
        using var spec = JsonDocument.Parse(RunSpecJson.Write(new RunSpec { Phase = TrainingPhaseNames.Slt, Data = DatasetName, MaxSteps = 5, Seed = 7 }));
        var result = Groups.CreateAsync(new RunGroupRequest { Kind = kind, Name = "two seeds", Spec = spec.RootElement.Clone(), SeedCount = seeds })
            .GetAwaiter().GetResult();
        Assert.True(result.Created, string.Join("; ", result.Problems.SelectMany(p => p.Value)));
        return result.Group!;
    }

    /// Completes run <paramref name="runId"/> with a best checkpoint holding <paramref name="metricsJson"/> and loss points.
    private void Complete(int runId, string metricsJson, params double[] losses)
    {
        using PhoenixDbContext db = Contexts.CreateDbContext();
        string best = $"/ck/{runId}/slt/best";
        db.Checkpoints.Add(new CheckpointEntity { RunId = runId, Path = best, Phase = "slt", Step = 5, IsBest = true, CreatedAt = DateTime.UtcNow, MetricsJson = metricsJson });
        for (int i = 0; i < losses.Length; i++)
            db.MetricPoints.Add(new MetricPoint { RunId = runId, Stage = "slt", Step = i + 1, Name = "loss", Value = losses[i], Time = DateTime.UtcNow });
        db.SaveChanges();
        db.Runs.Where(r => r.Id == runId).ExecuteUpdate(s => s.SetProperty(r => r.Status, JobStatus.Completed).SetProperty(r => r.BestCheckpoint, best));
    }

    private IRenderedComponent<GroupPage> RenderGroup(int id)
    {
        IRenderedComponent<GroupPage> cut = RenderWithPopovers<GroupPage>(p => p.Add(c => c.Id, id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=group-name]")), Wait);
        return cut;
    }

    private RunGroupInfo CreateGroup(string name, int seeds, int batchSize)
    {
        using var spec = JsonDocument.Parse(RunSpecJson.Write(new RunSpec { Phase = TrainingPhaseNames.Slt, Data = DatasetName, MaxSteps = 5, Seed = 7, BatchSize = batchSize }));
        var result = Groups.CreateAsync(new RunGroupRequest { Kind = RunGroupKinds.Seeds, Name = name, Spec = spec.RootElement.Clone(), SeedCount = seeds })
            .GetAwaiter().GetResult();
        Assert.True(result.Created, string.Join("; ", result.Problems.SelectMany(p => p.Value)));
        return result.Group!;
    }

    [Fact]
    public void CompareGroups_TwoSeedGroups_MeanSdPerGroupBestMarkedDifferingBaseSettingShownBandsPerGroup()
    {
        var small = CreateGroup("batch 4", 2, 4);
        var large = CreateGroup("batch 8", 2, 8);
        Complete(small.Runs[0].Id, """{"bleu4":10.0,"val_loss":3.0}""", 4.0);
        Complete(small.Runs[1].Id, """{"bleu4":12.0,"val_loss":3.2}""", 6.0);
        Complete(large.Runs[0].Id, """{"bleu4":14.0,"val_loss":3.5}""", 5.0);
        Complete(large.Runs[1].Id, """{"bleu4":15.0,"val_loss":3.7}""", 5.0);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"groups/compare?ids={small.Id},{large.Id}");

        IRenderedComponent<GroupCompare> cut = RenderWithPopovers<GroupCompare>(_ => { });
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=group-metric-row]")), Wait);

        // BLEU-4: 11 ± √2 against 14.5 ± √0.5 — the second group is best; val loss: lower is better — the first
        var bleu = cut.FindAll("[data-testid=group-metric-row]").Single(r => r.GetAttribute("data-metric") == "bleu4");
        Assert.Equal(["11.00 ± 1.41", "14.50 ± 0.71"], bleu.QuerySelectorAll("td[data-best]").Select(td => td.TextContent.Trim()));
        Assert.Equal(["false", "true"], bleu.QuerySelectorAll("td[data-best]").Select(td => td.GetAttribute("data-best")));
        var loss = cut.FindAll("[data-testid=group-metric-row]").Single(r => r.GetAttribute("data-metric") == "val_loss");
        Assert.Equal(["true", "false"], loss.QuerySelectorAll("td[data-best]").Select(td => td.GetAttribute("data-best")));
        // the base settings differ in batch size only (the name and seeds are the groups' own)
        Assert.Equal(["batch_size"], cut.FindAll("[data-testid=group-setting-row]").Select(r => r.GetAttribute("data-setting")));
        Assert.Equal(2, cut.Instance.Bands.Count);
        Assert.Equal(2, cut.FindAll("[data-testid='group-compare-loss-chart'] .legend-item").Count);
    }

    [Fact]
    public void CompareGroups_UnknownGroup_SaysWhich()
    {
        var a = CreateGroup("a", 1, 4);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"groups/compare?ids={a.Id},99");

        IRenderedComponent<GroupCompare> cut = RenderWithPopovers<GroupCompare>(_ => { });

        cut.WaitForAssertion(() => Assert.Contains("Group 99 does not exist", cut.Find("[data-testid=group-compare-problem]").TextContent), Wait);
    }

    [Fact]
    public void GroupList_TwoSelected_CompareOpensTheGroupComparison()
    {
        var a = CreateGroup("a", 1, 4);
        var b = CreateGroup("b", 1, 8);
        IRenderedComponent<GroupList> cut = RenderWithPopovers<GroupList>(_ => { });
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=group-link]").Count), Wait);
        Assert.True(cut.Find("[data-testid=compare-groups]").HasAttribute("disabled"));

        foreach (int id in new[] { a.Id, b.Id })
        {
            var box = cut.Find($"[data-testid=select-group-{id}]");
            (box.TagName == "INPUT" ? box : box.QuerySelector("input[type=checkbox]")!).Change(true);
        }
        Assert.False(cut.Find("[data-testid=compare-groups]").HasAttribute("disabled"));
        cut.Find("[data-testid=compare-groups]").Click();

        Assert.EndsWith($"groups/compare?ids={a.Id},{b.Id}", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
    }

    [Fact]
    public void TwoSeedGroup_Completed_ShowsBleuMeanAndSampleSd()
    {
        var group = CreateGroup(RunGroupKinds.Seeds, 2);
        Complete(group.Runs[0].Id, """{"bleu4":10.0,"rouge_l":30.0}""", 4.0, 3.0);
        Complete(group.Runs[1].Id, """{"bleu4":12.0,"rouge_l":34.0}""", 6.0, 5.0);

        IRenderedComponent<GroupPage> cut = RenderGroup(group.Id);

        // mean 11, sample sd √((1² + 1²) / (2 − 1)) = √2 = 1.41; ROUGE-L 32 ± √8 = 2.83
        var row = cut.Find("[data-testid=group-setting]");
        Assert.Equal("11.00 ± 1.41", row.QuerySelector("[data-testid=setting-bleu4]")!.TextContent.Trim());
        Assert.Equal("32.00 ± 2.83", row.QuerySelector("[data-testid=setting-rouge_l]")!.TextContent.Trim());
        Assert.Equal("2/2", row.QuerySelector("[data-testid=setting-n]")!.TextContent.Trim());
        Assert.Equal(2, cut.FindAll("[data-testid=group-run]").Count);
        Assert.Equal("2 completed", cut.Find("[data-testid=group-status-counts]").TextContent.Trim());
        Assert.Equal("seeds 7, 8", cut.Find("[data-testid=group-seeds]").TextContent.Trim());
        Assert.Equal($"runs/compare?ids={group.Runs[0].Id},{group.Runs[1].Id}", cut.Find("[data-testid=group-compare]").GetAttribute("href"));
        Assert.True(cut.Find("[data-testid=group-cancel]").HasAttribute("disabled"));
        // the loss band of the one setting: mean 5 then 4, sd √2 at both steps
        var band = Assert.Single(cut.Instance.Bands);
        Assert.Equal([(1L, 5.0), (2L, 4.0)], band.Points.Select(p => (p.Step, p.Mean)));
        Assert.All(band.Points, p => Assert.Equal(Math.Sqrt(2), p.Sd, 12));
    }

    [Fact]
    public async Task MemberChangesState_PageReloadsTheGroupLive()
    {
        var group = CreateGroup(RunGroupKinds.Seeds, 2);
        IRenderedComponent<GroupPage> cut = RenderGroup(group.Id);
        Assert.Equal("2 queued", cut.Find("[data-testid=group-status-counts]").TextContent.Trim());
        Assert.Equal("–", cut.Find("[data-testid=setting-bleu4]").TextContent.Trim());

        int first = group.Runs[0].Id;
        Complete(first, """{"bleu4":9.5}""", 2.0);
        Notifier.Publish(new RunStateUpdate((await Store.GetAsync(first))!));

        cut.WaitForAssertion(() => Assert.Equal("1 completed · 1 queued", cut.Find("[data-testid=group-status-counts]").TextContent.Trim()), Wait);
        // one value: the mean alone, 1 of 2 runs
        Assert.Equal("9.50", cut.Find("[data-testid=setting-bleu4]").TextContent.Trim());
        Assert.Equal("1/2", cut.Find("[data-testid=setting-n]").TextContent.Trim());
    }

    [Fact]
    public async Task CancelGroup_QueuedMembers_AreCancelled()
    {
        var group = CreateGroup(RunGroupKinds.Seeds, 2);
        IRenderedComponent<GroupPage> cut = RenderGroup(group.Id);

        cut.Find("[data-testid=group-cancel]").Click();

        cut.WaitForAssertion(() => Assert.Equal("2 cancelled", cut.Find("[data-testid=group-status-counts]").TextContent.Trim()), Wait);
        Assert.All(await Store.ListAsync(new RunQuery(GroupId: group.Id)), r => Assert.Equal(JobStatus.Cancelled, r.Status));
    }

    [Fact]
    public async Task AblationGroup_BothArmsValidated_ShowsTheDifference()
    {
        var group = CreateGroup(RunGroupKinds.Ablation, 1);
        var scratch = group.Runs.Single(r => r.GroupLabel == RunGroupPlan.ScratchArm);
        var pipeline = group.Runs.Single(r => r.GroupLabel == RunGroupPlan.PipelineArm);
        Complete(scratch.Id, """{"bleu4":8.25}""");

        IRenderedComponent<GroupPage> cut = RenderGroup(group.Id);
        Assert.Equal(("8.25", "–", "–"), (cut.Find("[data-testid=ablation-scratch]").TextContent.Trim(),
            cut.Find("[data-testid=ablation-pipeline]").TextContent.Trim(), cut.Find("[data-testid=ablation-difference]").TextContent.Trim()));

        Complete(pipeline.Id, """{"bleu4":11.0}""");
        Notifier.Publish(new RunStateUpdate((await Store.GetAsync(pipeline.Id))!));

        cut.WaitForAssertion(() => Assert.Equal("+2.75", cut.Find("[data-testid=ablation-difference]").TextContent.Trim()), Wait);
        // settings sorted by BLEU-4: the pipeline first
        Assert.Equal([RunGroupPlan.PipelineArm, RunGroupPlan.ScratchArm], cut.FindAll("[data-testid=group-setting]").Select(r => r.GetAttribute("data-label")));
    }

    [Fact]
    public void GroupList_ShowsTheGroupWithItsStatusCounts()
    {
        var group = CreateGroup(RunGroupKinds.Seeds, 2);

        IRenderedComponent<GroupList> cut = RenderWithPopovers<GroupList>(_ => { });

        cut.WaitForAssertion(() => Assert.Equal("two seeds", cut.Find("[data-testid=group-link]").TextContent.Trim()), Wait);
        Assert.Equal($"groups/{group.Id}", cut.Find("[data-testid=group-link]").GetAttribute("href"));
        Assert.Equal("2 queued", cut.Find("[data-testid=group-status-counts]").TextContent.Trim());
    }

    [Fact]
    public void RunDetail_GroupMember_LinksToItsGroup()
    {
        var group = CreateGroup(RunGroupKinds.Seeds, 2);

        IRenderedComponent<PhoenixSlt.Web.Components.Pages.Runs.RunDetail> cut =
            RenderWithPopovers<PhoenixSlt.Web.Components.Pages.Runs.RunDetail>(p => p.Add(c => c.Id, group.Runs[1].Id));

        cut.WaitForAssertion(() => Assert.Equal($"groups/{group.Id}", cut.Find("[data-testid=run-group-link]").GetAttribute("href")), Wait);
    }

    [Fact]
    public void UnknownGroup_SaysSo()
    {
        IRenderedComponent<GroupPage> cut = RenderWithPopovers<GroupPage>(p => p.Add(c => c.Id, 404));

        cut.WaitForAssertion(() => Assert.Contains("Group 404 does not exist", cut.Find("[data-testid=group-not-found]").TextContent), Wait);
    }
}
