using System.Text.Json;
using System.Text.RegularExpressions;
using PhoenixSlt.Tests;
using PhoenixSlt.Training.Events;

namespace PhoenixSlt.Training.Tests.Events;

[Collection(SerialTrainingCollection.Name)]
public sealed partial class ProgressEventsTests
{
    private static readonly string EventsDoc = Path.Combine(TestPaths.RepoRoot, "docs", "EVENTS.md");

    [Fact]
    public void Documentation_EveryExample_ParsesAndSerializesToTheSameFields()
    {
        var examples = DocumentedExamples();

        Assert.Equal(["run_started", "step", "validation_progress", "eval", "checkpoint", "early_stop", "finished", "failed"], examples.Keys.ToArray());
        foreach (var (type, json) in examples)
        {
            var parsed = ProgressEventJson.Parse(json);
            using var original = JsonDocument.Parse(json);
            using var written = JsonDocument.Parse(ProgressEventJson.Serialize(parsed));
            Assert.Equal(type, written.RootElement.GetProperty("type").GetString());
            Assert.Equal(Keys(original.RootElement), Keys(written.RootElement));
        }
    }

    [Fact]
    public void Documentation_FieldTables_ListExactlyTheSerializedFields()
    {
        var tables = DocumentedFields();
        var examples = DocumentedExamples();

        foreach (var (type, fields) in tables)
        {
            using var written = JsonDocument.Parse(ProgressEventJson.Serialize(ProgressEventJson.Parse(examples[type])));
            var serialized = Keys(written.RootElement).Except(["type", "time"]).ToArray();
            Assert.Equal(serialized.Order(StringComparer.Ordinal), fields.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void JsonLinesSink_ARun_WritesOneParsableObjectPerLineInTheDocumentedOrder()
    {
        using var temp = new TempFolder();
        using var task = new RegressionTask(_ => [[0, 1, 2, 3], [4, 5, 6, 7]], validation: [3.0, 2.0, 2.5, 2.6]);
        using var writer = new StringWriter();
        var options = new TrainerOptions { MaxSteps = 10, EvalEverySteps = 1, Patience = 2, LogEvery = 1, CheckpointDir = temp.Path };

        new Trainer(task, options, sink: new JsonLinesProgressSink(writer)).Run();

        string text = writer.ToString();
        Assert.EndsWith("\n", text);
        var lines = text.TrimEnd('\n').Split('\n');
        var events = lines.Select(ProgressEventJson.Parse).ToList();
        var types = lines.Select(l => JsonDocument.Parse(l).RootElement.EnumerateObject().First()).ToList();
        Assert.All(types, p => Assert.Equal("type", p.Name));
        string sequence = string.Join(' ', types.Select(p => p.Value.GetString()));
        Assert.Equal(
            "run_started step eval checkpoint checkpoint step eval checkpoint checkpoint step eval checkpoint step eval checkpoint early_stop finished",
            sequence);
        var run = Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal(10, run.TotalSteps);
        Assert.Equal("text", run.Phase);
        var evals = events.OfType<EvalEvent>().ToList();
        Assert.Equal([3.0, 2.0, 2.5, 2.6], evals.Select(e => e.ValLoss!.Value).ToArray());
        Assert.All(evals, e => Assert.Null(e.Bleu4));
        var stop = Assert.IsType<EarlyStopEvent>(events[^2]);
        Assert.Equal(2.0, stop.Best!.Value);
        var finished = Assert.IsType<FinishedEvent>(events[^1]);
        Assert.Equal(Path.Combine(temp.Path, "best"), finished.BestCheckpoint);
        Assert.Equal(2.0, finished.Metrics[RegressionTask.MetricName]);
    }

    [Fact]
    public void Serialize_NonFiniteNumbers_BecomeNullOrAreLeftOut()
    {
        var step = new StepEvent(1, 0, ProgressEventJson.Finite(double.NaN), new Dictionary<string, double> { ["encoder"] = 1e-4 }, 3.0, null);
        var eval = new EvalEvent { Metrics = ProgressEventJson.FiniteOnly(new Dictionary<string, double> { ["bleu4"] = double.NaN, ["val_loss"] = 1.5 }) };

        using var stepJson = JsonDocument.Parse(ProgressEventJson.Serialize(step));
        using var evalJson = JsonDocument.Parse(ProgressEventJson.Serialize(eval));

        Assert.Equal(JsonValueKind.Null, stepJson.RootElement.GetProperty("loss").ValueKind);
        Assert.Equal(["val_loss"], evalJson.RootElement.GetProperty("metrics").EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void FormatStep_HalfwayThrough_DrawsHalfTheBar()
    {
        var step = new StepEvent(50, 2, 1.23456, new Dictionary<string, double> { ["encoder"] = 1e-4, ["decoder"] = 5e-6 }, 12.34, 3725);

        string line = ConsoleProgressSink.FormatStep(step, 100, "slt");

        Assert.Equal("slt [############............]  50% step 50/100 epoch 3 loss 1.2346 lr 1.0e-04/5.0e-06 12.3 samples/s eta 1:02:05", line);
    }

    [Fact]
    public void FormatEval_WithGlossWer_PrintsItAfterTheTranslationScores()
    {
        var eval = new EvalEvent
        {
            Step = 500, Epoch = 3, ValLoss = 1.23456, Bleu1 = 40.1, Bleu2 = 30.2, Bleu3 = 20.3, Bleu4 = 10.4, RougeL = 35, Chrf = 40,
            Metrics = new Dictionary<string, double> { ["gloss_wer"] = 12.345 },
        };

        Assert.Equal("eval step 500 epoch 4: val_loss 1.2346 BLEU-1..4 40.10/30.20/20.30/10.40 ROUGE-L 35.00 chrF 40.00 gloss WER 12.35",
            ConsoleProgressSink.FormatEval(eval));
        Assert.Equal("eval step 1 epoch 1: val_loss 2.0000 gloss WER 100.00",
            ConsoleProgressSink.FormatEval(new EvalEvent { Step = 1, ValLoss = 2, Metrics = new Dictionary<string, double> { ["gloss_wer"] = 100 } }));
    }

    [Fact]
    public void FormatValidation_AQuarterDone_DrawsAQuarterOfTheBarWithTheHumanEpoch()
    {
        var progress = new ValidationProgressEvent("slt", 500, 3, 10, 40, 12.4, 75);

        string line = ConsoleProgressSink.FormatValidation(progress, "slt");

        // 10/40 = 25 % of 24 cells = 6; epoch 3 (0-based) is the fourth
        Assert.Equal("slt validating [######..................]  25% 10/40 clips at step 500 epoch 4, 0:00:12 eta 0:01:15", line);
    }

    [Fact]
    public void ConsoleSink_NotATerminal_OneLinePerValidationAtItsStart()
    {
        using var writer = new StringWriter();
        var sink = new ConsoleProgressSink(writer, interactive: false);

        sink.Report(new ValidationProgressEvent("slt", 6, 0, 0, 8, 0, null));
        sink.Report(new ValidationProgressEvent("slt", 6, 0, 4, 8, 1, null));
        sink.Report(new ValidationProgressEvent("slt", 6, 0, 8, 8, 2, null));

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["validating [........................]   0% 0/8 clips at step 6 epoch 1, 0:00:00"], lines);
    }

    /// The ```json example of each "### `type`" section of docs/EVENTS.md.
    private static Dictionary<string, string> DocumentedExamples()
    {
        var examples = new Dictionary<string, string>();
        foreach (var (type, body) in Sections())
        {
            var match = JsonBlock().Match(body);
            Assert.True(match.Success, $"section {type} has no json example");
            examples[type] = match.Groups[1].Value.Trim();
        }
        return examples;
    }

    /// The field names in the table of each section ("`bleu1` … `bleu4`" stands for the four BLEU fields).
    private static Dictionary<string, List<string>> DocumentedFields()
    {
        var fields = new Dictionary<string, List<string>>();
        foreach (var (type, body) in Sections())
        {
            var names = new List<string>();
            foreach (Match row in TableRow().Matches(body))
            {
                string cell = row.Groups[1].Value;
                if (cell.Contains('…'))
                    names.AddRange(["bleu1", "bleu2", "bleu3", "bleu4"]);
                else
                    names.Add(cell.Trim().Trim('`'));
            }
            fields[type] = names;
        }
        return fields;
    }

    private static IEnumerable<(string Type, string Body)> Sections()
    {
        string doc = File.ReadAllText(EventsDoc);
        var headings = SectionHeading().Matches(doc);
        for (int i = 0; i < headings.Count; i++)
        {
            int start = headings[i].Index + headings[i].Length;
            // A section ends at the next heading of any level up to 3 (the portal's sections follow the events).
            Match next = AnyHeading().Match(doc, start);
            int end = next.Success ? next.Index : doc.Length;
            yield return (headings[i].Groups[1].Value, doc[start..end]);
        }
    }

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [GeneratedRegex(@"^#{1,3} ", RegexOptions.Multiline)]
    private static partial Regex AnyHeading();

    [GeneratedRegex(@"^### `([a-z_]+)`", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"^\| (`[a-z_0-9]+`(?: … `[a-z_0-9]+`)?) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
