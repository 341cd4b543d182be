using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Phases;

/// text_task: what the text phase teaches the mBART (denoise, or gloss2text from the corpus' orth column).
[Collection(SerialTrainingCollection.Name)]
public sealed class TextObjectiveTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    private RunSpec Spec(string outDir, string? textTask, string? data = null) => new()
    {
        Phase = TrainingPhaseNames.Text,
        Data = data ?? dataset.DataDir,
        Out = outDir,
        MaxSteps = 3,
        BatchSize = 4,
        Beams = 1,
        LogEvery = 1,
        TextTask = textTask,
    };

    [Theory]
    [InlineData(null, true, TextObjectives.GlossToText)]
    [InlineData(null, false, TextObjectives.Denoise)]
    [InlineData(TextObjectives.Denoise, true, TextObjectives.Denoise)]
    [InlineData(TextObjectives.GlossToText, true, TextObjectives.GlossToText)]
    public void Resolve_GlossToTextByDefaultWhenTheClipsHaveGlosses(string? requested, bool hasGlosses, string expected)
        => Assert.Equal(expected, TextObjectives.Resolve(requested, hasGlosses));

    [Fact]
    public void Run_Default_OnACorpusWithGlosses_TrainsGlossToTextAndScoresTheTranslationsOfTheValidationGlosses()
    {
        using var temp = new TempFolder();
        var sink = new RecordingProgressSink();

        using (var session = TrainingSession.Create(Spec(temp.Path, textTask: null)))
        {
            // the vocabulary holds the glosses (lowercased) besides the sentences' words
            var train = PhoenixFeatureDataset.Open(dataset.DataDir, "train");
            var glossWords = train.Samples.SelectMany(s => s.Orth.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList();
            Assert.NotEmpty(glossWords);
            Assert.All(glossWords, w => Assert.DoesNotContain(session.Tokenizer.UnkId, session.Tokenizer.Encode(w).SkipLast(2)));
            session.Run(sink: sink);
        }

        var eval = sink.Events.OfType<EvalEvent>().Last();
        Assert.Contains(MetricNames.ValLoss, eval.Metrics.Keys);
        Assert.InRange(eval.Metrics[MetricNames.Bleu4], 0, 100);
        Assert.Contains(MetricNames.Chrf, eval.Metrics.Keys);
        var dev = PhoenixFeatureDataset.Open(dataset.DataDir, "dev");
        Assert.Equal(dev.Samples.Take(3).Select(s => s.Translation), eval.Samples.Select(s => s.Reference));   // each named by its glosses
        Assert.Equal(dev.Samples.Take(3).Select(s => s.Orth.ToLowerInvariant()), eval.Samples.Select(s => s.Name));
        var finished = Assert.IsType<FinishedEvent>(sink.Events[^1]);
        Assert.Equal(TextObjectives.GlossToText, TrainingRecipe.Load(finished.BestCheckpoint!)!.TextTask);
        Assert.Contains(MetricNames.Bleu4, CheckpointMetadata.Load(finished.BestCheckpoint!).Metrics.Keys);
    }

    [Fact]
    public void Loss_GlossToText_IsTheLossOfTheSentenceGivenItsGlosses()
    {
        using var temp = new TempFolder();
        using var session = TrainingSession.Create(Spec(temp.Path, TextObjectives.GlossToText) with { LabelSmoothing = 0.2 });
        var model = (MBartForConditionalGeneration)session.Task.Model;
        model.eval();                                                    // no dropout: both passes see the same network
        var sample = PhoenixFeatureDataset.Open(dataset.DataDir, "train").Samples[1];
        using var noGrad = no_grad();

        float taskLoss = session.Task.Loss([1], epoch: 0).item<float>();

        var tokenizer = session.Tokenizer;
        var (inputIds, mask) = TokenTensors.From(TokenBatch.FromRows([tokenizer.Encode(sample.Orth.ToLowerInvariant())], tokenizer.PadId), model.Device);
        var (labels, _) = TokenTensors.From(TokenBatch.FromRows([tokenizer.Encode(sample.Translation)], tokenizer.PadId), model.Device);
        var output = model.call(new MBartInputs { InputIds = inputIds, AttentionMask = mask, DecoderInputIds = MBartLoss.ShiftTokensRight(labels, tokenizer.PadId) });
        float expected = MBartLoss.LabelSmoothedCrossEntropy(output.Logits, labels, tokenizer.PadId, 0.2).item<float>();
        Assert.Equal(expected, taskLoss, 5);
    }

    [Fact]
    public void Create_GlossToText_OnACorpusWithoutGlosses_SaysWhatIsMissing_AndTheDefaultIsDenoise()
    {
        using var temp = new TempFolder();
        string data = CopyWithoutGlosses(dataset.DataDir, temp.Combine("data"));

        var error = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(Spec(temp.Combine("g2t"), TextObjectives.GlossToText, data)));
        Assert.Contains("text_task gloss2text", error.Message, StringComparison.Ordinal);
        Assert.Contains("orth column", error.Message, StringComparison.Ordinal);

        using var session = TrainingSession.Create(Spec(temp.Combine("default"), textTask: null, data));
        Assert.Equal(TextObjectives.Denoise, session.Recipe.TextTask);
        Assert.Equal(MetricNames.ValLoss, session.Task.Goal.Name);
    }

    /// A copy of a dataset whose corpus files have an empty orth column.
    internal static string CopyWithoutGlosses(string source, string target)
    {
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (file.EndsWith(".corpus.csv", StringComparison.Ordinal))
            {
                var lines = File.ReadAllLines(file);
                int orth = Array.IndexOf(lines[0].Split('|'), "orth");
                File.WriteAllLines(destination, lines.Select((line, i) =>
                {
                    if (i == 0)
                        return line;
                    var fields = line.Split('|');
                    fields[orth] = "";
                    return string.Join('|', fields);
                }));
            }
            else
            {
                File.Copy(file, destination);
            }
        }
        return target;
    }
}
