using Bunit;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Components.Pages.Checkpoints;
using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Tags;
using PhoenixSlt.Web.Tests.Runs;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// Tags and notes edited on Run detail and on the Checkpoints page, stored through TagService in a real Sqlite file.
public sealed class AnnotationsEditorTests : RunsTestContext
{
    public AnnotationsEditorTests()
        : base(withEvaluation: true)
    {
    }

    private int SaveRun(params string[] tags)
        => ComparisonSeed.SaveCompletedRun(Contexts, new RunSpec { Name = "tagged", Data = DatasetName }, new Dictionary<string, double> { ["bleu4"] = 5 }, tags);

    private IRenderedComponent<RunDetail> RenderRun(int id)
    {
        IRenderedComponent<RunDetail> cut = RenderWithPopovers<RunDetail>(p => p.Add(c => c.Id, id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=run-annotations]")), Wait);
        return cut;
    }

    private static void AddTag(IRenderedComponent<RunDetail> cut, string tag)
    {
        cut.Find("[data-testid=run-annotations] input[data-testid=tag-input]").Input(tag);
        cut.Find("[data-testid=run-annotations] [data-testid=tag-add]").Click();
    }

    private (string Tags, string? Notes) Stored(int runId)
    {
        using PhoenixDbContext db = Contexts.CreateDbContext();
        var run = db.Runs.AsNoTracking().Single(r => r.Id == runId);
        return (run.Tags, run.Notes);
    }

    [Fact]
    public void RunDetail_AddTagRemoveTagWriteNotesAndSave_StoresThem()
    {
        int id = SaveRun("old");
        IRenderedComponent<RunDetail> cut = RenderRun(id);
        Assert.Equal(["old"], cut.FindAll("[data-testid=run-annotations] [data-testid=tag-chip]").Select(c => c.TextContent.Trim()));

        AddTag(cut, "  lr-sweep ");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=run-annotations] [data-testid=tag-chip]").Count), Wait);
        cut.FindAll("[data-testid=run-annotations] [data-testid=tag-chip]").First(c => c.TextContent.Contains("old")).QuerySelector(".mud-chip-close-button")!.Click();
        cut.Find("[data-testid=run-annotations] textarea[data-testid=notes-input]").Input("batch 16 diverged at step 300");
        cut.Find("[data-testid=run-annotations] [data-testid=annotations-save]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=annotations-saved]")), Wait);
        Assert.Equal((TagList.Store(["lr-sweep"]), "batch 16 diverged at step 300"), Stored(id));
    }

    [Fact]
    public void RunDetail_InvalidTag_ShowsTheTagRulesMessageAndStoresNothing()
    {
        int id = SaveRun();
        IRenderedComponent<RunDetail> cut = RenderRun(id);

        AddTag(cut, "no spaces");

        cut.WaitForAssertion(() => Assert.Equal(TagList.Normalize(["no spaces"]).Problem,
            cut.Find("[data-testid=run-annotations] [data-testid=annotation-error]").TextContent.Trim()), Wait);
        Assert.Empty(cut.FindAll("[data-testid=run-annotations] [data-testid=tag-chip]"));
        Assert.Equal(("", (string?)null), Stored(id));
    }

    [Fact]
    public void RunDetail_Viewer_SeesTagsWithoutEditing()
    {
        Auth.SetRoles(PortalRoles.Viewer);
        int id = SaveRun("baseline");

        IRenderedComponent<RunDetail> cut = RenderRun(id);

        Assert.Equal(["baseline"], cut.FindAll("[data-testid=run-annotations] [data-testid=tag-chip]").Select(c => c.TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=run-annotations] [data-testid=tag-input]"));
        Assert.Empty(cut.FindAll("[data-testid=run-annotations] [data-testid=annotations-save]"));
    }

    [Fact]
    public void CheckpointsPage_EditorUnderTheRow_StoresTheCheckpointsTagsAndNotes()
    {
        int runId = SaveRun();
        int checkpointId;
        using (PhoenixDbContext db = Contexts.CreateDbContext())
            checkpointId = db.Checkpoints.Single(c => c.RunId == runId).Id;
        Render<MudBlazor.MudPopoverProvider>();
        var page = Render<CheckpointsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"[data-testid=annotate-{checkpointId}]")), Wait);

        page.Find($"[data-testid=annotate-{checkpointId}]").Click();
        page.Find("[data-testid=checkpoint-annotations] input[data-testid=tag-input]").Input("keep");
        page.Find("[data-testid=checkpoint-annotations] [data-testid=tag-add]").Click();
        page.Find("[data-testid=checkpoint-annotations] textarea[data-testid=notes-input]").Input("best so far");
        page.Find("[data-testid=checkpoint-annotations] [data-testid=annotations-save]").Click();

        page.WaitForAssertion(() => Assert.Equal(["keep"], page.FindAll("[data-testid=checkpoint-tag]").Select(c => c.TextContent.Trim())), Wait);
        using PhoenixDbContext check = Contexts.CreateDbContext();
        var stored = check.Checkpoints.AsNoTracking().Single(c => c.Id == checkpointId);
        Assert.Equal((TagList.Store(["keep"]), "best so far"), (stored.Tags, stored.Notes));
    }
}
