using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;

namespace PhoenixSlt.Cli.Commands;

/// <summary>
/// <c>phoenix-slt synth</c>: writes a synthetic PHOENIX-2014-T dataset (official annotation CSVs, keypoint and
/// SigLIP .npy files) or simulates features for an existing corpus (<c>--from-annotations</c>).
/// Progress goes to stderr, the summary to stdout. Exit codes: 0 done, 1 bad arguments or data, 130 cancelled.
/// </summary>
public static class SynthCommand
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitCancelled = 130;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var outDir = new Option<string>("--out")
        {
            Description = "Dataset folder to write (annotations/, kpts/, siglip_vitb16/).",
            HelpName = "DIR",
            Required = true,
        };
        var train = new Option<int>("--train") { Description = "Training samples.", HelpName = "N", DefaultValueFactory = _ => 7096 };
        var dev = new Option<int>("--dev") { Description = "Development samples.", HelpName = "N", DefaultValueFactory = _ => 519 };
        var test = new Option<int>("--test") { Description = "Test samples.", HelpName = "N", DefaultValueFactory = _ => 642 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes byte-identical files.", HelpName = "S", DefaultValueFactory = _ => 42 };
        var from = new Option<string?>("--from-annotations")
        {
            Description = "Simulate features for the PHOENIX-format corpus in this annotations folder (its orth glosses " +
                          "drive the motion) instead of generating sentences; the annotation files are copied to --out.",
            HelpName = "DIR",
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing dataset in --out." };
        var siglip32 = new Option<bool>("--siglip-float32") { Description = "Write SigLIP features as float32 (default float16)." };

        var command = new Command("synth", "Generate a synthetic PHOENIX-2014-T dataset (German weather forecasts, DGS-like glosses, keypoints, SigLIP features).")
        {
            outDir, train, dev, test, seed, from, force, siglip32,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            string? fromDir = parseResult.GetValue(from);
            if (fromDir is not null)
            {
                var explicitCounts = new Option[] { train, dev, test }
                    .Where(o => parseResult.GetResult(o) is { Implicit: false })
                    .Select(o => o.Name)
                    .ToArray();
                if (explicitCounts.Length > 0)
                {
                    error.WriteLine($"synth: {string.Join(", ", explicitCounts)} cannot be combined with --from-annotations: the corpus decides how many samples each split has.");
                    return ExitInvalid;
                }
            }
            var options = new SynthOptions(parseResult.GetValue(outDir)!, parseResult.GetValue(train), parseResult.GetValue(dev), parseResult.GetValue(test), parseResult.GetValue(seed))
            {
                FromAnnotations = fromDir,
                Overwrite = parseResult.GetValue(force),
                SiglipFloat16 = !parseResult.GetValue(siglip32),
            };
            // Ctrl+C cancels between samples (exit 130). System.CommandLine 2.0.0 only forwards it to `ct` when the
            // caller sets InvocationConfiguration.ProcessTerminationTimeout, so the command listens for SIGINT itself.
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                cts.Cancel();
            });
            var output = parseResult.InvocationConfiguration.Output;
            return await Task.Run(() => Run(options, output, error, cts.Token), CancellationToken.None);
        });
        return command;
    }

    /// <summary>Validates the options, generates, prints progress and the summary; returns the exit code.</summary>
    public static int Run(SynthOptions options, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? problem = Validate(options);
        if (problem is not null)
        {
            error.WriteLine($"synth: {problem}");
            return ExitInvalid;
        }
        try
        {
            var progress = new ProgressPrinter(error, live: ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected);
            SynthSummary summary = SyntheticPhoenixGenerator.Generate(options, progress, ct);
            progress.Finish();
            output.Write(FormatSummary(summary));
            return ExitOk;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine();
            error.WriteLine("synth: cancelled; no annotation files were written, so the folder is not a dataset yet. Run again to start over.");
            return ExitCancelled;
        }
        catch (SynthOutputExistsException e)
        {
            error.WriteLine($"synth: {e.Message}. Use --force to replace it or choose another --out.");
            return ExitInvalid;
        }
        catch (PhoenixDataException e)
        {
            error.WriteLine($"synth: {e.Message}");
            return ExitInvalid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"synth: cannot write the dataset to '{options.OutDir}': {e.Message}");
            return ExitInvalid;
        }
    }

    /// <summary>The first problem with the options (null when they are fine), phrased for the command line.</summary>
    public static string? Validate(SynthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.OutDir))
            return "--out needs a folder name.";
        foreach (var (name, value) in new[] { ("--train", options.Train), ("--dev", options.Dev), ("--test", options.Test) })
            if (value < 0)
                return $"{name} must be 0 or more (got {value.ToString(CultureInfo.InvariantCulture)}).";
        if (File.Exists(options.OutDir))
            return $"--out '{options.OutDir}' is a file; give a folder (it is created if missing).";
        if (options.FromAnnotations is { } from)
        {
            if (!Directory.Exists(from))
                return $"--from-annotations folder '{from}' does not exist; give the folder that holds PHOENIX-2014-T.{{train,dev,test}}.corpus.csv.";
            if (!DatasetLayout.Splits.Any(s => PhoenixCorpus.FindFile(from, s) is not null))
                return $"--from-annotations folder '{from}' has no annotation files: expected PHOENIX-2014-T.{{train,dev,test}}.corpus.csv (or train.csv, dev.csv, test.csv).";
        }
        else if (options.Train + options.Dev + options.Test == 0)
            return "nothing to generate: --train, --dev and --test are all 0.";
        if (!options.Overwrite && options.FromAnnotations is null)
        {
            string annotations = new DatasetLayout(options.OutDir).AnnotationsDir;
            string? existing = DatasetLayout.Splits.Select(s => PhoenixCorpus.FindFile(annotations, s)).FirstOrDefault(f => f is not null);
            if (existing is not null)
                return $"'{options.OutDir}' already holds a dataset ({existing}); use --force to replace it or choose another --out.";
        }
        return null;
    }

    /// <summary>The stdout summary: one line per split and a total.</summary>
    public static string FormatSummary(SynthSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var ic = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(summary.FromAnnotations
            ? $"simulated features for an existing corpus in {summary.OutDir} (seed {summary.Seed.ToString(ic)})"
            : $"wrote a synthetic PHOENIX-2014-T dataset to {summary.OutDir} (seed {summary.Seed.ToString(ic)})");
        sb.AppendLine("split  samples  frames mean/min/max  siglip frames  glosses  words  signers  hand missing L/R");
        foreach (var s in summary.Splits)
            sb.AppendLine(string.Format(ic, "{0,-5}  {1,7}  {2,8:F1}/{3}/{4,-5}  {5,13}  {6,7}  {7,5}  {8,7}  {9,7:F1}%/{10:F1}%",
                s.Split, s.Samples, s.MeanFrames, s.MinFrames, s.MaxFrames, s.SiglipFrames, s.GlossVocabulary, s.WordVocabulary, s.Signers,
                Percent(s.FramesMissingLeftHand, s.Frames), Percent(s.FramesMissingRightHand, s.Frames)));
        sb.AppendLine(string.Format(ic, "total: {0} samples, {1:F1} MB, {2:F1} s", summary.Samples, summary.Bytes / 1e6, summary.Elapsed.TotalSeconds));
        return sb.ToString();
    }

    private static double Percent(long part, long whole) => whole == 0 ? 0 : 100.0 * part / whole;

    /// <summary>Prints progress to stderr: a live line on a terminal, otherwise a line per 10% and per split.</summary>
    private sealed class ProgressPrinter(TextWriter error, bool live) : IProgress<SynthProgress>
    {
        private int _lastDecile = -1;
        private bool _pending;

        public void Report(SynthProgress value)
        {
            int percent = (int)(100 * value.Fraction);
            string line = string.Format(CultureInfo.InvariantCulture, "synth: {0} {1}/{2}  (total {3}/{4}, {5}%)",
                value.Split, value.SplitDone, value.SplitTotal, value.Done, value.Total, percent);
            if (live)
            {
                error.Write("\r" + line);
                _pending = true;
                return;
            }
            int decile = percent / 10;
            if (decile != _lastDecile || value.SplitDone == value.SplitTotal)
            {
                _lastDecile = decile;
                error.WriteLine(line);
            }
        }

        public void Finish()
        {
            if (_pending) error.WriteLine();
        }
    }
}
