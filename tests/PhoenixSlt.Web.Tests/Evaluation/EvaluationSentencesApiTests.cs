using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Evaluation;

/// GET /api/evaluations/{id}/sentences (JSON and CSV) and the approximate randomization of GET /api/compare on real
/// Kestrel over a real Sqlite file holding two completed evaluations stored the way the runner stores them.
public sealed class EvaluationSentencesApiTests : IAsyncLifetime
{
    private static readonly string[] Names = ["clip,1", "clip-2", "clip-3", "clip-4"];
    private static readonly string[] References = ["sonne, \"warm\" im süden", "regen\nim norden", "kalt in der nacht", "wind aus westen"];
    private static readonly string[] Weak = ["sonne", "", "nacht", "wind"];
    private static readonly string[] Good = ["sonne, \"warm\" im süden", "regen im norden", "kalt in der nacht", "wind aus osten"];

    private readonly string _state = TestPaths.NewTempDir("phoenix-evaluation-sentences");
    private PhoenixWebFactory _factory = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _factory = new PhoenixWebFactory(new Dictionary<string, string?>
        {
            ["Phoenix:Database"] = Path.Combine(_state, "phoenix.db"),
            ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        });
        _client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(_state);
    }

    private async Task<(int Weak, int Good)> SaveTwoEvaluationsAsync()
    {
        var contexts = _factory.Services.GetRequiredService<IDbContextFactory<PhoenixDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var checkpoint = new CheckpointEntity { Path = "/ck/runs/1/slt/best", Phase = "slt", Step = 4, CreatedAt = DateTime.UtcNow };
        db.Checkpoints.Add(checkpoint);
        await db.SaveChangesAsync();
        EvaluationEntity Evaluation(string[] hypotheses)
        {
            var entity = new EvaluationEntity
            {
                CheckpointId = checkpoint.Id, CheckpointPath = checkpoint.Path, Dataset = "synth", Split = "dev", Beams = 1,
                Status = JobStatus.Completed, CreatedAt = DateTime.UtcNow,
            };
            EvaluationScoring.Apply(entity, [.. hypotheses.Select((h, i) => new SentenceResult(i, Names[i], References[i], h, BleuMetric.SentenceScore(h, [References[i]]).Score))]);
            db.Evaluations.Add(entity);
            return entity;
        }
        var weak = Evaluation(Weak);
        var good = Evaluation(Good);
        await db.SaveChangesAsync();
        return (weak.Id, good.Id);
    }

    /// RFC 4180 records: fields split at commas outside quotes, "" inside quotes is one quote, line breaks inside
    /// quotes belong to the field.
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }
        Assert.False(quoted, "the CSV ends inside a quoted field");
        Assert.True(field.Length == 0 && record.Count == 0, "the CSV's last line has no line end");
        return records;
    }

    [Fact]
    public async Task Sentences_Csv_QuotedRowsWithScores()
    {
        var (_, good) = await SaveTwoEvaluationsAsync();

        using var response = await _client.GetAsync($"/api/evaluations/{good}/sentences?format=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        // The first row by hand (RFC 4180): commas and quotes force quoting, inner quotes are doubled.
        Assert.StartsWith("index,name,reference,hypothesis,sentence_bleu,sentence_chrf\n0,\"clip,1\",\"sonne, \"\"warm\"\" im süden\",\"sonne, \"\"warm\"\" im süden\",", text, StringComparison.Ordinal);
        // A line break inside a field is kept inside quotes.
        Assert.Contains("\n1,clip-2,\"regen\nim norden\",regen im norden,", text, StringComparison.Ordinal);
        var records = ParseCsv(text);
        Assert.Equal(["index", "name", "reference", "hypothesis", "sentence_bleu", "sentence_chrf"], records[0]);
        Assert.Equal(5, records.Count);
        for (int i = 0; i < 4; i++)
        {
            var r = records[i + 1];
            Assert.Equal([i.ToString(CultureInfo.InvariantCulture), Names[i], References[i], Good[i]], r.Take(4));
            Assert.Equal(BleuMetric.SentenceScore(Good[i], [References[i]]).Score, double.Parse(r[4], CultureInfo.InvariantCulture));
            Assert.Equal(ChrfMetric.ChrF.SentenceScore(Good[i], [References[i]]).Score, double.Parse(r[5], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Sentences_JsonByDefault_UnknownFormat400_UnknownEvaluation404()
    {
        var (weak, _) = await SaveTwoEvaluationsAsync();

        var json = await _client.GetFromJsonAsync<List<SentenceDetail>>($"/api/evaluations/{weak}/sentences", TrainingTestHost.Json);
        using var xml = await _client.GetAsync($"/api/evaluations/{weak}/sentences?format=xml");
        using var missing = await _client.GetAsync("/api/evaluations/999/sentences?format=csv");

        Assert.NotNull(json);
        Assert.Equal(Names, json.Select(s => s.Name));
        Assert.Equal(Weak, json.Select(s => s.Hypothesis));
        Assert.Equal("", json[1].Hypothesis);
        Assert.Equal(0.0, json[1].SentenceBleu);
        Assert.Equal(0.0, json[1].SentenceChrf);
        Assert.Equal(HttpStatusCode.BadRequest, xml.StatusCode);
        var problem = await xml.Content.ReadFromJsonAsync<ValidationProblemDetails>(TrainingTestHost.Json);
        Assert.Contains("use json or csv", problem!.Errors["format"][0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var error = await missing.Content.ReadFromJsonAsync<ProblemDetailsText>(TrainingTestHost.Json);
        Assert.Equal("Evaluation 999 does not exist.", error!.Error);
    }

    [Fact]
    public async Task Compare_TwoEvaluations_ApproximateRandomizationBesideBootstrapAndInOpenApi()
    {
        var (weak, good) = await SaveTwoEvaluationsAsync();

        var comparison = await _client.GetFromJsonAsync<EvaluationComparison>($"/api/compare?evaluations={weak},{good}", TrainingTestHost.Json);
        string openApi = await _client.GetStringAsync("/openapi/v1.json");

        Assert.Null(comparison!.Systems[0].ArPValue);
        // The API runs the Core test on the stored hypotheses with the documented defaults (10,000 trials, seed 12345).
        var expected = ApproximateRandomization.Compare(
            PairedBootstrap.SegmentStatistics(Weak, References), [PairedBootstrap.SegmentStatistics(Good, References)]);
        Assert.Equal(expected.Systems[0].PValue, comparison.Systems[1].ArPValue);
        Assert.InRange(comparison.Systems[1].ArPValue!.Value, 1.0 / 10_001, 1.0);
        Assert.Equal((10_000, 12345, 1000), (comparison.Trials, comparison.Seed, comparison.Resamples));

        using var document = JsonDocument.Parse(openApi);
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/evaluations/{id}/sentences", out var sentences));
        Assert.Contains(sentences.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "format");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .Select(s => s.Value).Where(s => s.TryGetProperty("properties", out _)).ToList();
        Assert.Contains(schemas, s => s.GetProperty("properties").TryGetProperty("arPValue", out _));
        Assert.Contains(schemas, s => s.GetProperty("properties").TryGetProperty("trials", out _));
        Assert.Contains(schemas, s => s.GetProperty("properties").TryGetProperty("sentenceChrf", out _));
    }
}
