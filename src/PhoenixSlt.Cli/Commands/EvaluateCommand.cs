using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Evaluation;

namespace PhoenixSlt.Cli.Commands;

/// <c>phoenix-slt evaluate</c>: translates a whole split with an SLT checkpoint (batched beam search) and scores
/// all hypotheses together: BLEU-1..4, sacrebleu BLEU, ROUGE-L, chrF (see <see cref="TranslationScores"/>).
public static class EvaluateCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitCancelled = 130;

    /// <param name="HypothesesFile">Where to write one hypothesis per line (split order), or null.</param>
    /// <param name="Threads">libtorch intra-op threads; null: libtorch's default (OMP_NUM_THREADS, else the cores).</param>
    public sealed record Request(string Checkpoint, string DataDir, string Split, int Beams, bool Json, string? HypothesesFile, string Device, int BatchSize, int? Threads = null);

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "SLT checkpoint folder (e.g. OUT/best of `train slt`).", HelpName = "DIR", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset root (annotations/, kpts/, siglip_vitb16/).", HelpName = "DIR", Required = true };
        var split = new Option<string>("--split") { Description = "Split to translate and score.", DefaultValueFactory = _ => "dev" };
        split.AcceptOnlyFromAmong("dev", "test", "train");
        var beams = new Option<int>("--beams") { Description = "Beam width (1 = greedy).", HelpName = "K", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var hypOut = new Option<string?>("--hyp-out") { Description = "Write the hypotheses, one per line in split order.", HelpName = "FILE" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var batchSize = new Option<int>("--batch-size") { Description = "Clips decoded together.", HelpName = "B", DefaultValueFactory = _ => 16 };
        var threads = ThreadsOption.Create();

        var command = new Command("evaluate", "Translate a split with an SLT checkpoint and score it (BLEU-1..4, ROUGE-L, chrF).")
        {
            checkpoint, data, split, beams, json, hypOut, device, batchSize, threads,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var request = new Request(parseResult.GetValue(checkpoint)!, parseResult.GetValue(data)!, parseResult.GetValue(split)!,
                parseResult.GetValue(beams), parseResult.GetValue(json), parseResult.GetValue(hypOut), parseResult.GetValue(device)!,
                parseResult.GetValue(batchSize), parseResult.GetValue(threads));
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                cts.Cancel();
            });
            return await Task.Run(() => Run(request, output, error, cts.Token), CancellationToken.None);
        });
        return command;
    }

    public static int Run(Request request, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (!Directory.Exists(request.DataDir))
                throw new TrainingConfigurationException($"--data {request.DataDir}: folder not found; give a dataset root with annotations/, kpts/ and siglip_vitb16/");
            var device = DeviceSelection.Parse(request.Device);
            ThreadBudget.Apply(request.Threads);
            var data = PhoenixFeatureDataset.Open(request.DataDir, request.Split);
            using var checkpoint = SltCheckpoint.Load(request.Checkpoint, device.ToDevice());
            var options = new SltEvaluationOptions(request.Beams, request.BatchSize, checkpoint.MaxNewTokens, SamplesToShow: 0);
            var evaluation = SltEvaluator.Of(checkpoint).Evaluate(data, options, cancellationToken: cancellationToken);
            if (request.HypothesesFile is not null)
                WriteLines(request.HypothesesFile, evaluation.Hypotheses);
            output.WriteLine(request.Json ? FormatJson(request, evaluation) : FormatText(request, evaluation));
            return ExitOk;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("evaluate: cancelled");
            return ExitCancelled;
        }
        catch (Exception e) when (e is TrainingConfigurationException or PhoenixDataException or CheckpointFormatException
                                      or InvalidGenerationConfigException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"evaluate: {e.Message}");
            return ExitFailed;
        }
    }

    /// Writes one line per hypothesis (UTF-8 without BOM, '\n' line ends) — the input `phoenix-slt score --hyp` reads.
    public static void WriteLines(string path, IReadOnlyList<string> lines)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        var text = new StringBuilder();
        foreach (string line in lines)
            text.Append(line.Replace('\n', ' ').Replace('\r', ' ')).Append('\n');
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    public static string FormatText(Request request, SltEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var m = evaluation.Metrics;
        string F(string name) => m.TryGetValue(name, out double v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{request.Split}: {evaluation.Hypotheses.Count} clips, {request.Beams} beam(s), checkpoint {Path.GetFullPath(request.Checkpoint)}\n");
        text.Append($"BLEU-1..4  {F(MetricNames.Bleu1)} / {F(MetricNames.Bleu2)} / {F(MetricNames.Bleu3)} / {F(MetricNames.Bleu4)}\n");
        text.Append($"sacreBLEU  {F(MetricNames.SacreBleu)}\n");
        text.Append($"ROUGE-L    {F(MetricNames.RougeL)}\n");
        text.Append($"chrF       {F(MetricNames.Chrf)}\n");
        text.Append(CultureInfo.InvariantCulture, $"val loss   {(m.TryGetValue(MetricNames.ValLoss, out double loss) ? loss.ToString("F4", CultureInfo.InvariantCulture) : "-")}");
        if (m.ContainsKey(MetricNames.GlossWer))
            text.Append($"\ngloss WER  {F(MetricNames.GlossWer)}");
        if (request.HypothesesFile is not null)
            text.Append("\nhypotheses: ").Append(Path.GetFullPath(request.HypothesesFile));
        return text.ToString();
    }

    /// {"checkpoint","split","clips","num_beams","bleu1".."bleu4","sacrebleu","rouge_l","chrf","val_loss","gloss_wer","hypotheses_file"}
    /// (gloss_wer is null for a checkpoint without a gloss head)
    public static string FormatJson(Request request, SltEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var body = new Dictionary<string, object?>
        {
            ["checkpoint"] = Path.GetFullPath(request.Checkpoint),
            ["split"] = request.Split,
            ["clips"] = evaluation.Hypotheses.Count,
            ["num_beams"] = request.Beams,
        };
        foreach (string name in new[] { MetricNames.Bleu1, MetricNames.Bleu2, MetricNames.Bleu3, MetricNames.Bleu4, MetricNames.SacreBleu, MetricNames.RougeL, MetricNames.Chrf, MetricNames.ValLoss, MetricNames.GlossWer })
            body[name] = evaluation.Metrics.TryGetValue(name, out double v) && double.IsFinite(v) ? v : null;
        body["hypotheses_file"] = request.HypothesesFile is null ? null : Path.GetFullPath(request.HypothesesFile);
        return JsonSerializer.Serialize(body);
    }
}
