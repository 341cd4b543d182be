using System.Globalization;
using System.Text;

namespace PhoenixSlt.Training.Events;

/// Human-readable progress: on a terminal a progress bar redrawn in place (carriage return) at every step event;
/// otherwise one line per step event. A validation redraws the bar with its clips on a terminal and otherwise gets one
/// line when it starts. Evaluations, checkpoints and the end of the run get lines of their own. Epochs are counted from
/// 1 here, as on the portal's pages (the events keep their 0-based <c>epoch</c>).
public sealed class ConsoleProgressSink : IProgressSink
{
    private const int BarWidth = 24;

    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly Lock _gate = new();
    private long _totalSteps;
    private string _phase = "";
    private bool _barShown;

    /// <param name="writer">Usually standard error, so that standard output stays free for results or JSON lines.</param>
    /// <param name="interactive">True on a terminal: redraw one line instead of printing a line per step.</param>
    public ConsoleProgressSink(TextWriter writer, bool interactive)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _interactive = interactive;
    }

    public void Report(ProgressEvent progressEvent)
    {
        ArgumentNullException.ThrowIfNull(progressEvent);
        lock (_gate)
        {
            switch (progressEvent)
            {
                case RunStartedEvent e:
                    _totalSteps = e.TotalSteps;
                    _phase = e.Phase;
                    Line($"{e.Phase}: {e.TotalSteps} steps on {e.Device}{(e.WorldSize > 1 ? $" × {e.WorldSize} processes" : "")}");
                    break;
                case StepEvent e when _interactive:
                    _writer.Write('\r' + FormatStep(e, _totalSteps, _phase).PadRight(100));
                    _writer.Flush();
                    _barShown = true;
                    break;
                case StepEvent e:
                    Line(FormatStep(e, _totalSteps, _phase));
                    break;
                case ValidationProgressEvent e when _interactive:
                    _writer.Write('\r' + FormatValidation(e, _phase).PadRight(100));
                    _writer.Flush();
                    _barShown = true;
                    break;
                case ValidationProgressEvent e when e.ClipsDone == 0:
                    Line(FormatValidation(e, _phase));
                    break;
                case EvalEvent e:
                    Line(FormatEval(e));
                    break;
                case CheckpointEvent e:
                    Line($"checkpoint {(e.IsBest ? "(best) " : "")}{e.Path}");
                    break;
                case EarlyStopEvent e:
                    Line($"early stop at step {e.Step}" + (e.Best is { } b ? $": best {b.Metric} {Number(b.Value)} at step {b.Step}" : ""));
                    break;
                case FinishedEvent e:
                    Line($"finished after {e.Step} steps in {Duration(e.ElapsedS)}" + (e.BestCheckpoint is null ? "" : $"; best checkpoint {e.BestCheckpoint}"));
                    break;
                case FailedEvent e:
                    Line($"failed: {e.Message}");
                    break;
            }
        }
    }

    /// "slt [#########...............]  37% step 370/1000 epoch 3 loss 2.3140 lr 1.0e-04 52.1 samples/s eta 0:01:13"
    public static string FormatStep(StepEvent e, long totalSteps, string phase = "")
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder();
        if (phase.Length > 0)
            text.Append(phase).Append(' ');
        if (totalSteps > 0)
        {
            double fraction = Math.Clamp(e.Step / (double)totalSteps, 0, 1);
            int filled = (int)Math.Round(fraction * BarWidth);
            text.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ")
                .Append(((int)Math.Floor(fraction * 100)).ToString(CultureInfo.InvariantCulture).PadLeft(3)).Append("% ");
        }
        text.Append(CultureInfo.InvariantCulture, $"step {e.Step}{(totalSteps > 0 ? $"/{totalSteps}" : "")} epoch {HumanEpoch(e.Epoch)}");
        text.Append(" loss ").Append(e.Loss is double loss ? loss.ToString("F4", CultureInfo.InvariantCulture) : "nan");
        if (e.Lr.Count > 0)
            text.Append(" lr ").Append(string.Join('/', e.Lr.Values.Select(lr => lr.ToString("0.0e+00", CultureInfo.InvariantCulture))));
        text.Append(CultureInfo.InvariantCulture, $" {e.SamplesPerS:F1} samples/s");
        if (e.EtaS is double eta)
            text.Append(" eta ").Append(Duration(eta));
        return text.ToString();
    }

    /// "slt validating [######..................]  25% 10/40 clips at step 500 epoch 4, 0:00:12"
    public static string FormatValidation(ValidationProgressEvent e, string phase = "")
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder();
        if (phase.Length > 0)
            text.Append(phase).Append(' ');
        text.Append("validating ");
        if (e.ClipsTotal > 0)
        {
            double fraction = Math.Clamp(e.ClipsDone / (double)e.ClipsTotal, 0, 1);
            int filled = (int)Math.Round(fraction * BarWidth);
            text.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ")
                .Append(((int)Math.Floor(fraction * 100)).ToString(CultureInfo.InvariantCulture).PadLeft(3)).Append("% ");
        }
        text.Append(CultureInfo.InvariantCulture, $"{e.ClipsDone}/{e.ClipsTotal} clips at step {e.Step} epoch {HumanEpoch(e.Epoch)}, {Duration(e.ElapsedS)}");
        if (e.EtaS is double eta)
            text.Append(" eta ").Append(Duration(eta));
        return text.ToString();
    }

    /// The 1-based epoch people read ("epoch 1" is the first) of an event's 0-based <c>epoch</c>.
    public static int HumanEpoch(int epoch) => epoch + 1;

    /// "eval step 500 epoch 4: val_loss 1.2345 BLEU-1..4 40.10/30.20/20.30/10.40 ROUGE-L 35.00 chrF 40.00 gloss WER 12.30"
    public static string FormatEval(EvalEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"eval step {e.Step} epoch {HumanEpoch(e.Epoch)}:"));
        if (e.ValLoss is double loss)
            text.Append(" val_loss ").Append(loss.ToString("F4", CultureInfo.InvariantCulture));
        if (e.Bleu4 is not null)
            text.Append(" BLEU-1..4 ").Append(string.Join('/', new[] { e.Bleu1, e.Bleu2, e.Bleu3, e.Bleu4 }.Select(b => b is double v ? Number(v) : "-")));
        if (e.RougeL is double rouge)
            text.Append(" ROUGE-L ").Append(Number(rouge));
        if (e.Chrf is double chrf)
            text.Append(" chrF ").Append(Number(chrf));
        if (e.Metrics.TryGetValue(Core.Metrics.MetricNames.GlossWer, out double wer))
            text.Append(" gloss WER ").Append(Number(wer));
        foreach (var sample in e.Samples.Take(2))
            text.Append(CultureInfo.InvariantCulture, $"\n  {sample.Name}\n    ref: {sample.Reference}\n    hyp: {sample.Hypothesis}");
        return text.ToString();
    }

    /// h:mm:ss
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(double.IsFinite(seconds) && seconds > 0 ? Math.Round(seconds) : 0);
        return $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}";
    }

    private static string Number(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private void Line(string text)
    {
        if (_barShown)
        {
            _writer.Write('\n');
            _barShown = false;
        }
        _writer.WriteLine(text);
        _writer.Flush();
    }
}
