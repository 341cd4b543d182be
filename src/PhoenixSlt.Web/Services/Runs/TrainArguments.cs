using System.Globalization;

namespace PhoenixSlt.Web.Services.Runs;

/// One `phoenix-slt train` invocation of a run: the phase, its output folder (a subfolder of the run folder named
/// after the phase), the JSON-lines event file inside it, and where it starts from.
/// <param name="Init">--init (the pipeline's slt stage: the vlp stage's best/).</param>
/// <param name="MBart">--mbart (the pipeline's vlp and slt stages: the text stage's best/).</param>
public sealed record TrainStage(string Phase, string OutDir, string EventsFile, string? Init, string? MBart);

/// Pure mapping of a <see cref="RunRequest"/> to `phoenix-slt train` stages and argument lists.
/// A single phase is one stage in RUN/&lt;phase&gt;; the pipeline is text → vlp (--mbart RUN/text/best) → slt
/// (--init RUN/vlp/best --mbart RUN/text/best), each in its own subfolder of the run folder.
public static class TrainArguments
{
    public const string EventsFileName = "events.jsonl";
    public const string BestFolder = "best";
    public const string LastFolder = "last";

    /// The stages of <paramref name="request"/> run in <paramref name="runFolder"/>.
    public static IReadOnlyList<TrainStage> Plan(RunRequest request, string runFolder)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(runFolder);
        string Out(string phase) => Path.Combine(runFolder, phase);
        string? Folder(string? path) => string.IsNullOrWhiteSpace(path) ? null : path.Trim();
        if (request.Phase != RunPhases.Pipeline)
        {
            string single = RunPhases.StagesOf(request.Phase)[0];
            return [new TrainStage(single, Out(single), Path.Combine(Out(single), EventsFileName), Folder(request.InitCheckpoint), Folder(request.MBartFolder))];
        }
        string textBest = Path.Combine(Out(RunPhases.Text), BestFolder);
        string vlpBest = Path.Combine(Out(RunPhases.Vlp), BestFolder);
        return
        [
            new TrainStage(RunPhases.Text, Out(RunPhases.Text), Path.Combine(Out(RunPhases.Text), EventsFileName), null, Folder(request.MBartFolder)),
            new TrainStage(RunPhases.Vlp, Out(RunPhases.Vlp), Path.Combine(Out(RunPhases.Vlp), EventsFileName), null, textBest),
            new TrainStage(RunPhases.Slt, Out(RunPhases.Slt), Path.Combine(Out(RunPhases.Slt), EventsFileName), vlpBest, textBest),
        ];
    }

    /// The arguments after the program: <c>train PHASE --data DIR --out DIR … --events FILE [--resume]</c>.
    /// Options left at null are not passed, so the CLI's own defaults apply.
    public static IReadOnlyList<string> For(RunRequest request, TrainStage stage, string datasetDir, bool resume)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentException.ThrowIfNullOrEmpty(datasetDir);
        var args = new List<string> { "train", stage.Phase, "--data", datasetDir, "--out", stage.OutDir, "--preset", request.Preset };
        void Add(string name, string? value)
        {
            if (value is not null)
                args.AddRange([name, value]);
        }
        Add("--init", stage.Init);
        Add("--mbart", stage.MBart);
        Add("--epochs", Text(request.Epochs));
        Add("--max-steps", Text(request.MaxSteps));
        Add("--batch-size", Text(request.BatchSize));
        Add("--accumulate", Text(request.Accumulate));
        Add("--lr-encoder", Text(request.LrEncoder));
        Add("--lr-decoder", Text(request.LrDecoder));
        Add("--patience", Text(request.Patience));
        Add("--max-frames", Text(request.MaxFrames));
        Add("--amp", request.Amp);
        Add("--device", request.Device);
        Add("--world-size", Text(request.WorldSize));
        Add("--loader-workers", Text(request.LoaderWorkers));
        Add("--seed", Text(request.Seed));
        Add("--eval-every", Text(request.EvalEvery));
        Add("--save-every", Text(request.SaveEvery));
        Add("--log-every", Text(request.LogEvery));
        Add("--beams", Text(request.Beams));
        Add("--events", stage.EventsFile);
        if (resume)
            args.Add("--resume");
        return args;
    }

    /// The devices a run occupies: "cpu", or cuda:K … cuda:K+N-1 for world size N on cuda:K.
    public static IReadOnlyList<string> DevicesOf(string device, int worldSize)
    {
        if (!RunRequestValidator.TryParseDevice(device, out bool isCuda, out int first) || !isCuda)
            return ["cpu"];
        return [.. Enumerable.Range(first, Math.Max(1, worldSize)).Select(i => $"cuda:{i.ToString(CultureInfo.InvariantCulture)}")];
    }

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);
}
