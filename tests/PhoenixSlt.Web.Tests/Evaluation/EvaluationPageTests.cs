using Bunit;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Components.Pages.Evaluations;
using PhoenixSlt.Web.Components.Shared;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Tests.Components.Runs;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// The evaluation page over a real Sqlite file holding one completed evaluation of four clips.
public sealed class EvaluationPageTests : RunsTestContext
{
    private static readonly string[] Names = ["clip-a", "clip-b", "clip-c", "clip-d"];
    private static readonly string[] References = ["morgen regen im norden", "sonne im süden und westen", "kalt in der nacht", "wind aus westen"];
    // Distinct sentence BLEU values in an order unlike the index order; clip-c writes nothing.
    private static readonly string[] Hypotheses = ["regen im osten", "sonne im süden und westen", "", "wind aus westen morgen"];

    public EvaluationPageTests()
        : base(withEvaluation: true)
    {
    }

    private int SaveEvaluation()
    {
        using var db = Contexts.CreateDbContext();
        var checkpoint = new CheckpointEntity { Path = "/ck/runs/7/slt/best", Phase = "slt", Step = 40, CreatedAt = DateTime.UtcNow };
        db.Checkpoints.Add(checkpoint);
        db.SaveChanges();
        var entity = new EvaluationEntity
        {
            CheckpointId = checkpoint.Id, CheckpointPath = checkpoint.Path, Dataset = DatasetName, Split = "test", Beams = 3,
            Status = JobStatus.Completed, CreatedAt = DateTime.UtcNow,
        };
        EvaluationScoring.Apply(entity, [.. Hypotheses.Select((h, i) => new SentenceResult(i, Names[i], References[i], h, BleuMetric.SentenceScore(h, [References[i]]).Score))]);
        db.Evaluations.Add(entity);
        db.SaveChanges();
        return entity.Id;
    }

    private IRenderedComponent<EvaluationPage> RenderPage(int id)
    {
        Render<MudBlazor.MudPopoverProvider>();
        return Render<EvaluationPage>(p => p.Add(x => x.Id, id));
    }

    private static List<string> ShownNames(IRenderedComponent<EvaluationPage> page) =>
        [.. page.FindAll("[data-testid=sentences-table] tbody tr td.name").Select(td => td.TextContent.Trim())];

    [Fact]
    public void Render_Evaluation_HeaderAndEverySentenceInSplitOrder()
    {
        int id = SaveEvaluation();

        var page = RenderPage(id);

        page.WaitForAssertion(() => Assert.Equal(Names, ShownNames(page)), Wait);
        Assert.Equal("/ck/runs/7/slt/best", page.Find("[data-testid=evaluation-checkpoint]").TextContent.Trim());
        Assert.Equal($"{DatasetName}/test · 4 clips", page.Find("[data-testid=evaluation-split]").TextContent.Trim());
        Assert.Equal("3", page.Find("[data-testid=evaluation-beams]").TextContent.Trim());
        string corpusBleu = DisplayFormat.Metric(BleuMetric.CorpusScore(Hypotheses, [References]).Score);
        Assert.Contains($"sacreBLEU {corpusBleu}", page.Find("[data-testid=evaluation-scores]").TextContent, StringComparison.Ordinal);
        var empty = page.FindAll("[data-testid=sentences-table] tbody tr")[2];
        Assert.Equal(ModelOutput.EmptyPlaceholder, empty.QuerySelector("[data-testid=empty-output]")!.TextContent.Trim());
        Assert.Equal($"api/evaluations/{id}/sentences?format=csv", page.Find("[data-testid=sentences-csv]").GetAttribute("href"));
    }

    [Fact]
    public void SortByBleu_ClickedTwice_AscendingThenDescending()
    {
        int id = SaveEvaluation();
        var page = RenderPage(id);
        page.WaitForAssertion(() => Assert.Equal(Names, ShownNames(page)), Wait);
        string[] ascending = [.. Names.Select((n, i) => (n, Bleu: BleuMetric.SentenceScore(Hypotheses[i], [References[i]]).Score)).OrderBy(x => x.Bleu).Select(x => x.n)];
        Assert.NotEqual(Names, ascending);

        AngleSharp.Dom.IElement Header() => page.FindAll("th .mud-table-sort-label").Single(h => h.TextContent.Trim() == "BLEU");
        Header().Click();
        page.WaitForAssertion(() => Assert.Equal(ascending, ShownNames(page)), Wait);

        Header().Click();
        page.WaitForAssertion(() => Assert.Equal(Enumerable.Reverse(ascending), ShownNames(page)), Wait);
    }

    [Fact]
    public void Filter_Text_NarrowsRowsToMatchingNameReferenceOrHypothesis()
    {
        int id = SaveEvaluation();
        var page = RenderPage(id);
        page.WaitForAssertion(() => Assert.Equal(Names, ShownNames(page)), Wait);

        // "westen" is in clip-b's reference and hypothesis and clip-d's: two rows.
        page.Find("input[data-testid=sentence-filter]").Input("WESTEN");
        page.WaitForAssertion(() => Assert.Equal(["clip-b", "clip-d"], ShownNames(page)), Wait);

        // An empty hypothesis reads "(empty output)", and the filter finds what the reader sees.
        page.Find("input[data-testid=sentence-filter]").Input("empty output");
        page.WaitForAssertion(() => Assert.Equal(["clip-c"], ShownNames(page)), Wait);

        page.Find("input[data-testid=sentence-filter]").Input("hagel");
        page.WaitForAssertion(() => Assert.Contains("No sentence matches the filter", page.Find("[data-testid=sentences-table]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public void Render_UnknownEvaluation_SaysItDoesNotExist()
    {
        SaveEvaluation();

        var page = RenderPage(999);

        page.WaitForAssertion(() => Assert.Contains("Evaluation 999 does not exist", page.Find("[data-testid=evaluation-problem]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll("[data-testid=sentences-table]"));
    }

    [Fact]
    public void Matches_BlankFilterMatchesAll_CaseIgnored()
    {
        var sentence = new SentenceDetail(0, "clip-x", "Morgen Regen", "", 0, 0);

        Assert.True(EvaluationPage.Matches(sentence, "  "));
        Assert.True(EvaluationPage.Matches(sentence, "regen"));
        Assert.True(EvaluationPage.Matches(sentence, "CLIP-X"));
        Assert.True(EvaluationPage.Matches(sentence, "(empty"));
        Assert.False(EvaluationPage.Matches(sentence, "sonne"));
    }
}
