using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Services.Translation;
using static TorchSharp.torch;

namespace PhoenixSlt.Benchmarks;

/// Settings of the `translate` mode.
public sealed record TranslationBenchmarkOptions
{
    public IReadOnlyList<string> Presets { get; init; } = ["tiny", "base"];
    public IReadOnlyList<int> Clients { get; init; } = [1, 4, 16];

    /// Measured time per repeat: clients stop submitting after it; requests already submitted still count.
    public double Seconds { get; init; } = 4;

    /// Repeats per cell (each with a fresh service); the settings alternate from repeat to repeat.
    public int Repeats { get; init; } = 3;

    public int Beams { get; init; } = 5;

    /// Training steps of each benchmark checkpoint (the web tests train the tiny one for 6).
    public long TrainSteps { get; init; } = 6;

    /// MaxWaitMs of the batching setting; null = <see cref="TranslationOptions"/>' default.
    public int? MaxWaitMs { get; init; }

    /// Null when an argument is unknown or malformed.
    public static TranslationBenchmarkOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new TranslationBenchmarkOptions();
        for (int i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
                return null;
            string value = args[i + 1];
            options = args[i] switch
            {
                "--presets" => options with { Presets = value.Split(',') },
                "--clients" => options with { Clients = [.. value.Split(',').Select(Int)] },
                "--seconds" => options with { Seconds = double.Parse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) },
                "--repeats" => options with { Repeats = Int(value) },
                "--beams" => options with { Beams = Int(value) },
                "--train-steps" => options with { TrainSteps = Int(value) },
                "--max-wait-ms" => options with { MaxWaitMs = Int(value) },
                _ => null!,
            };
            if (options is null)
                return null;
        }
        return options.Clients.All(c => c > 0) && options.Beams > 0 && options.Seconds > 0 && options.Repeats > 0 ? options : null;
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// One service configuration under test: a name and its options.
public sealed record TranslationSetting(string Name, TranslationOptions Options);

/// One repeat of a (preset, clients, setting) cell.
/// <param name="Requests">Translations completed in the measured part.</param>
/// <param name="MeanBatchSize">Clips per decoded batch (service counters over the measured part).</param>
/// <param name="MeanWords">Words per translation (longer outputs take more decoding steps).</param>
/// <param name="OwnCores">CPU time of this process per wall second (2 = both cores busy).</param>
/// <param name="OthersShare">CPU share other processes used during the repeat.</param>
/// <param name="StealShare">CPU share the hypervisor gave to other machines during the repeat.</param>
public sealed record TranslationRepeat(int Requests, double Seconds, double P50Ms, double P95Ms, double MeanBatchSize, double MeanWords,
    double OwnCores, double OthersShare, double StealShare)
{
    public double SentencesPerSecond => Requests / Seconds;
}

/// A cell: the median of its repeats for throughput and latency, the range of the throughput, the largest share of
/// the CPU taken by other processes and by the hypervisor.
public sealed record TranslationMeasurement(string Preset, int Clients, TranslationSetting Setting, IReadOnlyList<TranslationRepeat> Repeats)
{
    public double SentencesPerSecond => TranslationBenchmark.Median(Repeats.Select(r => r.SentencesPerSecond));
    public double MinSentencesPerSecond => Repeats.Min(r => r.SentencesPerSecond);
    public double MaxSentencesPerSecond => Repeats.Max(r => r.SentencesPerSecond);
    public double P50Ms => TranslationBenchmark.Median(Repeats.Select(r => r.P50Ms));
    public double P95Ms => TranslationBenchmark.Median(Repeats.Select(r => r.P95Ms));
    public double MeanBatchSize => Repeats.Average(r => r.MeanBatchSize);
    public double MeanWords => Repeats.Average(r => r.MeanWords);
    public int Requests => Repeats.Sum(r => r.Requests);
    public double OwnCores => TranslationBenchmark.Median(Repeats.Select(r => r.OwnCores));
    public double OthersShare => Repeats.Max(r => r.OthersShare);
    public double StealShare => Repeats.Max(r => r.StealShare);
}

/// Throughput and latency of <see cref="TranslationService"/> under closed-loop load: N clients each submit one clip,
/// await its translation and submit the next, for a fixed time; latency is submission to result as the client sees it.
/// Every repeat gets a fresh service (default options = micro-batching, MaxBatchSize 1 = none) whose checkpoint is
/// loaded and warmed up (one batch of min(clients, MaxBatchSize) concurrent requests) before the measured part; the
/// settings alternate from repeat to repeat so that both see the same background load, and each cell reports the
/// median of its repeats (a shared machine is sometimes slowed down for tens of seconds).
public static class TranslationBenchmark
{
    public const string Usage = "usage: PhoenixSlt.Benchmarks translate [--presets tiny,base] [--clients 1,4,16] [--seconds 4] [--repeats 3] [--beams 5] [--train-steps 6] [--max-wait-ms MS]";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = TranslationBenchmarkOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var settings = Settings(options);
        Console.WriteLine($"# translation-service benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {BenchmarkArguments.CpuName()}, {Environment.ProcessorCount} logical cores, torch threads {get_num_threads()}, OMP_NUM_THREADS {Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"}");
        Console.WriteLine($"load average at start: {BenchmarkArguments.LoadAverage()}");
        Console.WriteLine(Invariant($"settings: beams {options.Beams}; per cell {options.Repeats} repeats of {options.Seconds:0.#} s, each after a warm-up batch of min(clients, max batch) requests; ") +
            string.Join("; ", settings.Select(s => Invariant($"{s.Name} = MaxBatchSize {s.Options.MaxBatchSize}, MaxWaitMs {s.Options.MaxWaitMs}"))));
        var usage = CpuUsage.Start();
        string root = Path.Combine(Path.GetTempPath(), $"phoenix-translate-bench-{Guid.NewGuid():N}");
        var results = new List<TranslationMeasurement>();
        try
        {
            foreach (string preset in options.Presets)
            {
                var checkpoint = TranslationBenchmarkCheckpoint.Create(root, preset, options.TrainSteps);
                var frames = checkpoint.Clips.Select(c => c.KeypointFrames).Order().ToList();
                Console.WriteLine(Invariant($"{preset}: checkpoint trained {options.TrainSteps} steps in {checkpoint.TrainSeconds:F0} s; {checkpoint.Clips.Count} clips of {frames[0]}–{frames[^1]} keypoint frames (median {frames[frames.Count / 2]})"));
                foreach (int clients in options.Clients)
                    results.AddRange(MeasureCell(checkpoint, clients, settings, options));
            }
        }
        finally
        {
            TryDelete(root);
        }
        Console.WriteLine();
        Console.WriteLine("| preset | clients | setting | max batch | throughput (sent/s) | range (sent/s) | p50 ms | p95 ms | mean batch size | words/sentence | requests | own CPU (cores) | others' CPU / steal (max) |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in results)
            Console.WriteLine(Invariant($"| {m.Preset} | {m.Clients} | {m.Setting.Name} | {m.Setting.Options.MaxBatchSize} | {m.SentencesPerSecond:F2} | {m.MinSentencesPerSecond:F2}–{m.MaxSentencesPerSecond:F2} | {m.P50Ms:F0} | {m.P95Ms:F0} | {m.MeanBatchSize:F1} | {m.MeanWords:F1} | {m.Requests} | {m.OwnCores:F2} | {100 * m.OthersShare:F1}% / {100 * m.StealShare:F1}% |"));
        Console.WriteLine();
        Console.WriteLine($"load average at end: {BenchmarkArguments.LoadAverage()}");
        if (usage?.Shares() is var (others, steal))
            Console.WriteLine(Invariant($"during the run: other processes used {100 * others:F1}% and hypervisor steal {100 * steal:F1}% of the CPU capacity"));
        return 0;
    }

    /// Default options (micro-batching) and the same with MaxBatchSize 1 (every clip decoded alone).
    public static IReadOnlyList<TranslationSetting> Settings(TranslationBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var batching = new TranslationOptions();
        if (options.MaxWaitMs is int wait)
            batching.MaxWaitMs = wait;
        return [new("batching", batching), new("no batching", new TranslationOptions { MaxBatchSize = 1 })];
    }

    /// The cells of every setting at <paramref name="clients"/> clients: repeat 1 of each setting, repeat 2 of each
    /// setting in reverse order, and so on.
    public static IReadOnlyList<TranslationMeasurement> MeasureCell(TranslationBenchmarkCheckpoint checkpoint, int clients,
        IReadOnlyList<TranslationSetting> settings, TranslationBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        var repeats = settings.ToDictionary(s => s, _ => new List<TranslationRepeat>());
        for (int r = 0; r < options.Repeats; r++)
            foreach (var setting in r % 2 == 0 ? settings : settings.Reverse())
            {
                var repeat = Measure(checkpoint, clients, setting, options);
                repeats[setting].Add(repeat);
                Console.Error.WriteLine(Invariant($"{checkpoint.Preset} clients {clients} {setting.Name} repeat {r + 1}: {repeat.SentencesPerSecond:F2} sent/s, p50 {repeat.P50Ms:F0} ms, p95 {repeat.P95Ms:F0} ms, mean batch {repeat.MeanBatchSize:F1}, {repeat.MeanWords:F1} words, {repeat.Requests} requests in {repeat.Seconds:F1} s, own CPU {repeat.OwnCores:F2} cores, others {100 * repeat.OthersShare:F1}%, steal {100 * repeat.StealShare:F1}%"));
            }
        return [.. settings.Select(s => new TranslationMeasurement(checkpoint.Preset, clients, s, repeats[s]))];
    }

    /// One repeat with a fresh service: warm-up, then <paramref name="clients"/> closed loops for the set time.
    public static TranslationRepeat Measure(TranslationBenchmarkCheckpoint checkpoint, int clients, TranslationSetting setting, TranslationBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(options);
        using var service = new TranslationService(Options.Create(setting.Options), NullLogger<TranslationService>.Instance);
        // Warm-up: loads the checkpoint and decodes one batch of the size the measured part will form.
        RunClients(service, checkpoint, Math.Min(clients, setting.Options.MaxBatchSize), options.Beams, TimeSpan.Zero);
        var before = service.Statistics;
        var usage = CpuUsage.Start();
        var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var completed = RunClients(service, checkpoint, clients, options.Beams, TimeSpan.FromSeconds(options.Seconds));
        double seconds = clock.Elapsed.TotalSeconds;
        double ownCores = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds / seconds;
        var (others, steal) = usage?.Shares() ?? (0, 0);
        var after = service.Statistics;
        if (after.Rejected > before.Rejected)
            throw new InvalidOperationException($"{after.Rejected - before.Rejected} submissions were answered busy; raise QueueCapacity above {clients} clients");
        long batches = after.Batches - before.Batches;
        double meanBatch = batches == 0 ? 0 : (double)(after.Decoded - before.Decoded) / batches;
        var latencies = completed.Select(c => c.Ms).Order().ToList();
        double meanWords = completed.Average(c => c.Hypothesis.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        return new TranslationRepeat(latencies.Count, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95), meanBatch, meanWords,
            ownCores, others, steal);
    }

    /// Nearest-rank percentile (0 &lt; p ≤ 1) of ascending <paramref name="sorted"/> values; NaN when empty.
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// The middle value (the mean of the two middle values for an even count); NaN when empty.
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            return double.NaN;
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <paramref name="clients"/> concurrent closed loops, each submitting its next clip (client k starts at clip k and
    /// steps by the number of clients, so a batch mixes clip lengths) until <paramref name="duration"/> has passed
    /// (at least one request each); every request's hypothesis and latency in ms.
    private static List<(string Hypothesis, double Ms)> RunClients(TranslationService service, TranslationBenchmarkCheckpoint checkpoint, int clients, int beams, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var completed = new List<(string Hypothesis, double Ms)>();
            int clip = client;
            do
            {
                FeatureSample sample = checkpoint.Clips[clip % checkpoint.Clips.Count];
                long submitted = Stopwatch.GetTimestamp();
                var submission = service.Submit(new TranslationRequest(checkpoint.Folder, beams, sample));
                if (submission.IsBusy)
                    throw new InvalidOperationException($"the translation service answered busy with {clients} clients");
                var result = await submission.Result!.ConfigureAwait(false);
                completed.Add((result.Hypothesis, Stopwatch.GetElapsedTime(submitted).TotalMilliseconds));
                clip += clients;
            }
            while (Stopwatch.GetElapsedTime(start) < duration);
            return completed;
        })).ToArray();
        Task.WaitAll(loops);
        return [.. loops.SelectMany(l => l.Result)];
    }

    private static void TryDelete(string root)
    {
        try
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
