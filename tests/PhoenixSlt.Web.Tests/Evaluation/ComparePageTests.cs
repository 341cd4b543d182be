using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Components.Pages.Checkpoints;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Components;
using PhoenixSlt.Web.Tests.Components.Runs;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// The Compare page over a real Sqlite file holding two completed evaluations of the same split.
public sealed class ComparePageTests : RunsTestContext
{

    private static readonly string[] References = ["morgen regen im norden", "sonne im süden und westen", "kalt in der nacht"];
    private static readonly string[] Good = ["morgen regen im norden", "sonne im süden", "kalt in der nacht"];
    private static readonly string[] Weak = ["regen", "wind im westen", "nacht"];

    public ComparePageTests()
        : base(withEvaluation: true)
    {
    }

    /// Navigates to /checkpoints/compare?evaluations=IDS and renders the page (the query supplies the ids).
    private IRenderedComponent<ComparePage> RenderAt(string ids)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"checkpoints/compare?evaluations={ids}");
        Render<MudBlazor.MudPopoverProvider>();
        return Render<ComparePage>();
    }

    private (int First, int Second) SaveTwoEvaluations()
    {
        using var db = Contexts.CreateDbContext();
        var checkpoint = new CheckpointEntity { Path = "/ck/runs/1/slt/best", Phase = "slt", Step = 4, CreatedAt = DateTime.UtcNow };
        db.Checkpoints.Add(checkpoint);
        db.SaveChanges();
        EvaluationEntity Evaluation(string[] hypotheses, int beams)
        {
            var entity = new EvaluationEntity
            {
                CheckpointId = checkpoint.Id, CheckpointPath = checkpoint.Path, Dataset = DatasetName, Split = "dev", Beams = beams,
                Status = JobStatus.Completed, CreatedAt = DateTime.UtcNow,
            };
            EvaluationScoring.Apply(entity, [.. hypotheses.Select((h, i) => new SentenceResult(i, $"clip{i}", References[i], h, BleuMetric.SentenceScore(h, [References[i]]).Score))]);
            db.Evaluations.Add(entity);
            return entity;
        }
        var weak = Evaluation(Weak, 1);
        var good = Evaluation(Good, 4);
        db.SaveChanges();
        return (weak.Id, good.Id);
    }

    [Fact]
    public void Render_TwoEvaluations_ShowsBothBleuValuesBothPValuesAndSentenceTable()
    {
        var (first, second) = SaveTwoEvaluations();

        var page = RenderAt($"{first},{second}");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=sentences-table] tbody tr")), Wait);
        string weakBleu = BleuMetric.CorpusScore(Weak, [References]).Score.ToString("0.00", CultureInfo.InvariantCulture);
        string goodBleu = BleuMetric.CorpusScore(Good, [References]).Score.ToString("0.00", CultureInfo.InvariantCulture);
        Assert.StartsWith(weakBleu + " (", page.Find($"[data-testid=bleu-{first}]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith(goodBleu + " (", page.Find($"[data-testid=bleu-{second}]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("–", page.Find($"[data-testid=p-{first}]").TextContent.Trim());
        double p = double.Parse(page.Find($"[data-testid=p-{second}]").TextContent.Trim().TrimEnd('*', ' '), CultureInfo.InvariantCulture);
        Assert.InRange(p, 1.0 / 1001, 1.0);
        // Approximate randomization beside it: the Core test on the same hypotheses (10,000 trials, seed 12345).
        Assert.Equal("–", page.Find($"[data-testid=p-ar-{first}]").TextContent.Trim());
        double ar = ApproximateRandomization.Compare(PairedBootstrap.SegmentStatistics(Weak, References), [PairedBootstrap.SegmentStatistics(Good, References)]).Systems[0].PValue;
        string arText = ar.ToString("0.0000", CultureInfo.InvariantCulture) + (ar < 0.05 ? " *" : "");
        Assert.Equal(arText, page.Find($"[data-testid=p-ar-{second}]").TextContent.Trim());
        Assert.Contains("(10000 trials)", page.Markup, StringComparison.Ordinal);
        var rows = page.FindAll("[data-testid=sentences-table] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.All(References, r => Assert.Contains(rows, row => row.TextContent.Contains(r, StringComparison.Ordinal)));
    }

    [Fact]
    public void Render_OneEvaluation_NoTable()
    {
        var (first, _) = SaveTwoEvaluations();

        var page = RenderAt($"{first}");

        Assert.Empty(page.FindAll("[data-testid=sentences-table]"));
    }

    [Fact]
    public void Render_UnknownEvaluation_SaysWhichIsMissing()
    {
        var (first, _) = SaveTwoEvaluations();

        var page = RenderAt($"{first},999");

        page.WaitForAssertion(() => Assert.Contains("999 do not exist", page.Find("[data-testid=compare-problem]").TextContent, StringComparison.Ordinal), Wait);
    }
}
