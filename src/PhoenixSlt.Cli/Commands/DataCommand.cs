using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Cli.Commands;

/// <summary>
/// <c>phoenix-slt data</c>: dataset tools. <c>data check --data DIR [--json]</c> inspects a PHOENIX-2014-T style
/// folder (annotations/, kpts/, siglip_vitb16/), prints per-split statistics and every problem found, and exits
/// with 0 when there is none, 1 otherwise.
/// </summary>
public static class DataCommand
{
    public const int ExitOk = 0;
    public const int ExitProblems = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var command = new Command("data", "Dataset tools for PHOENIX-2014-T style folders.")
        {
            CreateCheck(),
        };
        return command;
    }

    private static Command CreateCheck()
    {
        var data = new Option<string>("--data")
        {
            Description = "Dataset folder holding annotations/, kpts/ and siglip_vitb16/.",
            HelpName = "DIR",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object." };
        var check = new Command("check",
            "Check a dataset: annotation files, feature files, shapes and values; lists every problem. Exit code 0 when none, 1 otherwise.")
        {
            data, json,
        };
        check.SetAction(parseResult => Check(
            parseResult.GetValue(data)!,
            parseResult.GetValue(json),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return check;
    }

    /// Inspects <paramref name="dataRoot"/> and prints the report; returns the exit code.
    public static int Check(string dataRoot, bool asJson, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        DatasetReport report;
        try
        {
            report = DatasetInspector.Inspect(dataRoot);
        }
        catch (Exception e) when (e is PhoenixDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"data check: {e.Message}");
            return ExitProblems;
        }
        output.WriteLine(asJson ? FormatJson(report) : FormatText(report));
        return report.Ok ? ExitOk : ExitProblems;
    }

    public static string FormatJson(DatasetReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static string FormatText(DatasetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Dataset: {report.Root}");
        if (report.Splits.Count > 0)
        {
            sb.AppendLine();
            string[] header = ["split", "samples", "with both", "keypoint frames min/mean/max", "SigLIP frames min/mean/max", "hand missing L/R"];
            List<string[]> rows = [header, .. report.Splits.Select(Row)];
            int[] widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (string[] row in rows)
                sb.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
        sb.AppendLine();
        if (report.Ok)
        {
            sb.Append(CultureInfo.InvariantCulture, $"OK: {report.TotalSamples} samples, no problems found.");
            return sb.ToString();
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"{report.Problems.Count} problem(s):");
        foreach (DataProblem problem in report.Problems)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {problem}");
        return sb.ToString().TrimEnd();
    }

    private static string[] Row(SplitReport s)
    {
        static string Frames(FrameStats? f) => f is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{f.Min}/{f.Mean:0.0}/{f.Max}");
        static string Ratio(double? r) => r is double v ? string.Create(CultureInfo.InvariantCulture, $"{100 * v:0.0}%") : "-";
        return
        [
            s.Split,
            s.AnnotationFile is null ? "(no file)" : s.Samples.ToString(CultureInfo.InvariantCulture),
            s.WithBothFeatures.ToString(CultureInfo.InvariantCulture),
            Frames(s.KeypointFrames),
            Frames(s.SiglipFrames),
            $"{Ratio(s.LeftHandMissingRatio)}/{Ratio(s.RightHandMissingRatio)}",
        ];
    }
}
