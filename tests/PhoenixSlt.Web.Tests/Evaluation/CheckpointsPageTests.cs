using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Web.Components.Pages.Checkpoints;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Components;
using PhoenixSlt.Web.Tests.Components.Runs;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// The Checkpoints page over a real Sqlite file (the evaluation runner is not started, so evaluations stay queued).
public sealed class CheckpointsPageTests : RunsTestContext
{
    private const string SltPath = "/ck/runs/7/slt/best";
    private const string VlpPath = "/ck/runs/7/vlp/last";
    private IRenderedComponent<MudPopoverProvider>? _popovers;

    public CheckpointsPageTests()
        : base(withEvaluation: true)
    {
    }

    /// An slt checkpoint (bleu4 12.5, 2048 bytes) and a vlp checkpoint; returns their ids.
    private (int Slt, int Vlp) SaveCheckpoints()
    {
        using var db = Contexts.CreateDbContext();
        var slt = new CheckpointEntity
        {
            Path = SltPath, Phase = TrainingPhaseNames.Slt, Step = 40, IsBest = true, MetricsJson = """{"bleu4": 12.5}""", SizeBytes = 2048,
            CreatedAt = DateTime.UtcNow,
        };
        var vlp = new CheckpointEntity { Path = VlpPath, Phase = TrainingPhaseNames.Vlp, Step = 30, CreatedAt = DateTime.UtcNow.AddMinutes(-1) };
        db.Checkpoints.AddRange(slt, vlp);
        db.SaveChanges();
        return (slt.Id, vlp.Id);
    }

    private int SaveEvaluation(int checkpointId, JobStatus status)
    {
        using var db = Contexts.CreateDbContext();
        var evaluation = new EvaluationEntity
        {
            CheckpointId = checkpointId, CheckpointPath = SltPath, Dataset = DatasetName, Split = "dev", Beams = 4, Status = status, CreatedAt = DateTime.UtcNow,
        };
        db.Evaluations.Add(evaluation);
        db.SaveChanges();
        return evaluation.Id;
    }

    private List<EvaluationEntity> StoredEvaluations()
    {
        using var db = Contexts.CreateDbContext();
        return [.. db.Evaluations.AsNoTracking().OrderBy(e => e.Id)];
    }

    private IRenderedComponent<CheckpointsPage> RenderPage()
    {
        _popovers = Render<MudPopoverProvider>();
        var page = Render<CheckpointsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=checkpoints-table] tbody tr").Count), Wait);
        return page;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<CheckpointsPage> page, string path)
        => page.FindAll("[data-testid=checkpoints-table] tbody tr").Single(tr => tr.QuerySelector($"[title='{path}']") is not null);

    [Fact]
    public void Render_CheckpointsInSqlite_ListedWithPhaseStepMetricsAndSize_EvaluateOnlyForSlt()
    {
        var (slt, vlp) = SaveCheckpoints();

        var page = RenderPage();

        var sltRow = Row(page, SltPath);
        Assert.Contains("slt · best", sltRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("40", sltRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("bleu4 12.5", sltRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("2.0 KiB", sltRow.TextContent, StringComparison.Ordinal);      // 2048 bytes
        Assert.Contains("slt/best", sltRow.TextContent, StringComparison.Ordinal);
        Assert.NotNull(sltRow.QuerySelector($"[data-testid=evaluate-{slt}]"));
        var vlpRow = Row(page, VlpPath);
        Assert.Contains("vlp/last", vlpRow.TextContent, StringComparison.Ordinal);
        Assert.Null(vlpRow.QuerySelector($"[data-testid=evaluate-{vlp}]"));
    }

    private static AngleSharp.Dom.IElement TagFilter(IRenderedComponent<CheckpointsPage> page)
    {
        var field = page.Find("[data-testid=checkpoint-tag-filter]");
        return field.TagName == "INPUT" ? field : field.QuerySelector("input")!;
    }

    [Fact]
    public void TagFilter_KeepsTheCheckpointsCarryingTheTag_CaseInsensitive()
    {
        var (slt, _) = SaveCheckpoints();
        using (var db = Contexts.CreateDbContext())
            db.Checkpoints.Where(c => c.Id == slt).ExecuteUpdate(u => u.SetProperty(c => c.Tags, ",keep,"));
        var page = RenderPage();

        TagFilter(page).Input("KEEP");

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=checkpoints-table] tbody tr")), Wait);
        Assert.NotNull(page.Find("[data-testid=checkpoints-table] tbody tr").QuerySelector($"[title='{SltPath}']"));
        TagFilter(page).Input("other");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=checkpoints-table] tbody tr td[data-label=Folder]")), Wait);
    }

    [Fact]
    public void EvaluateClick_TestSplitAndTwoBeams_QueuesThatEvaluation()
    {
        var (slt, _) = SaveCheckpoints();
        var page = RenderPage();

        page.Find("[data-testid=split-select]").Closest(".mud-input-control")!.MouseDown();
        var popovers = _popovers!;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == "test"), Wait);
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "test").Click();
        page.Find("input[data-testid=beams-field]").Change("2");
        page.Find($"[data-testid=evaluate-{slt}]").Click();

        page.WaitForAssertion(() => Assert.Single(StoredEvaluations()), Wait);
        var stored = StoredEvaluations()[0];
        Assert.Equal((slt, "test", 2, JobStatus.Queued, DatasetName), (stored.CheckpointId, stored.Split, stored.Beams, stored.Status, stored.Dataset));
        page.WaitForAssertion(() => Assert.Equal("queued", page.Find($"[data-testid=status-{stored.Id}]").TextContent.Trim()), Wait);
    }

    [Fact]
    public void Render_Viewer_EvaluateImportAndCancelDisabledWithTheHint()
    {
        var (slt, _) = SaveCheckpoints();
        int queued = SaveEvaluation(slt, JobStatus.Queued);
        Auth.SetRoles(PortalRoles.Viewer);

        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=cancel-{queued}]")), Wait);

        foreach (string button in new[] { $"evaluate-{slt}", "import-button", $"cancel-{queued}" })
        {
            var element = page.Find($"[data-testid={button}]");
            Assert.True(element.HasAttribute("disabled"), $"{button} is enabled for a viewer");
            Assert.Equal(PortalAccess.OperatorHint, element.GetAttribute("title"));
        }
    }

    [Fact]
    public void CancelClick_QueuedEvaluation_BecomesCancelled()
    {
        var (slt, _) = SaveCheckpoints();
        int queued = SaveEvaluation(slt, JobStatus.Queued);
        int completed = SaveEvaluation(slt, JobStatus.Completed);
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=cancel-{queued}]")), Wait);
        Assert.Empty(page.FindAll($"[data-testid=cancel-{completed}]"));   // only queued or running rows can be cancelled
        Assert.False(page.Find($"[data-testid=cancel-{queued}]").HasAttribute("disabled"));

        page.Find($"[data-testid=cancel-{queued}]").Click();

        page.WaitForAssertion(() => Assert.Equal("cancelled", page.Find($"[data-testid=status-{queued}]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll($"[data-testid=cancel-{queued}]"));
        var stored = StoredEvaluations().Single(e => e.Id == queued);
        Assert.Equal(JobStatus.Cancelled, stored.Status);
        Assert.NotNull(stored.FinishedAt);
        Assert.Equal(JobStatus.Completed, StoredEvaluations().Single(e => e.Id == completed).Status);
    }
}
