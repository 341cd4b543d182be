using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Launch;

namespace PhoenixSlt.Benchmarks;

/// Settings of the `concurrent-jobs` mode.
public sealed record ConcurrentJobsOptions
{
    public string Preset { get; init; } = "tiny";

    /// Thread counts to measure: a number (each process gets the thread budget's environment for it: OMP_NUM_THREADS,
    /// MKL_NUM_THREADS, OMP_WAIT_POLICY=PASSIVE, and set_num_threads) or "default" (those variables removed: libtorch's
    /// own choice, as before the budget).
    public IReadOnlyList<string> Threads { get; init; } = ["1"];

    /// Training processes at once in the concurrent arm.
    public int Jobs { get; init; } = 2;

    /// Alternating rounds of (one alone, <see cref="Jobs"/> at once) per thread count.
    public int Rounds { get; init; } = 3;

    public int Warmup { get; init; } = 3;
    public int Steps { get; init; } = 30;
    public int BatchSize { get; init; } = 16;
    public int Frames { get; init; } = 150;

    /// Null when an argument is unknown or malformed.
    public static ConcurrentJobsOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new ConcurrentJobsOptions();
        for (int i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
                return null;
            string value = args[i + 1];
            options = args[i] switch
            {
                "--preset" => options with { Preset = value },
                "--threads" => options with { Threads = value.Split(',') },
                "--jobs" => options with { Jobs = Int(value) },
                "--rounds" => options with { Rounds = Int(value) },
                "--warmup" => options with { Warmup = Int(value) },
                "--steps" => options with { Steps = Int(value) },
                "--batch-size" => options with { BatchSize = Int(value) },
                "--frames" => options with { Frames = Int(value) },
                _ => null!,
            };
            if (options is null)
                return null;
        }
        bool threadsOk = options.Threads.All(t => t == "default" || int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0);
        return threadsOk && options.Jobs >= 2 && options.Rounds > 0 && options.Steps > 1 && options.BatchSize > 0 && options.Frames >= 5 ? options : null;
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// Training processes sharing the CPU: ms per step of one `train-step` process alone at T threads and of
/// <see cref="ConcurrentJobsOptions.Jobs"/> such processes at once, each at T threads; each concurrent job's speed
/// as a fraction of the speed alone (the thread budget's target: ≥ 0.85 with T = the budget's share). Every
/// measurement is a separate process (libtorch's thread count is per process). In the concurrent arm only the steps
/// that ended while every process was still in its timed steps count, so a process that finishes first does not
/// leave the others a quiet tail.
public static class ConcurrentJobsBenchmark
{
    public const string Usage = "usage: PhoenixSlt.Benchmarks concurrent-jobs [--preset tiny] [--threads 1[,2,default]] [--jobs 2] [--rounds 3] [--warmup 3] [--steps 30] [--batch-size 16] [--frames 150]";
    public const double Target = 0.85;

    /// One process's timed steps: their durations and the wall clock at the first one.
    private sealed record StepTimes(double StartUnixMs, IReadOnlyList<double> StepMs)
    {
        public double EndUnixMs => StartUnixMs + StepMs.Sum();

        /// The steps that ended by <paramref name="endUnixMs"/> (at least one).
        public IReadOnlyList<double> EndingBy(double endUnixMs)
        {
            var kept = new List<double>();
            double t = StartUnixMs;
            foreach (double step in StepMs)
            {
                t += step;
                if (t > endUnixMs && kept.Count > 0)
                    break;
                kept.Add(step);
            }
            return kept;
        }
    }

    public static int Run(IReadOnlyList<string> args)
    {
        var options = ConcurrentJobsOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        WorkerExecutable executable = WorkerExecutable.Current();
        Console.WriteLine($"# concurrent training jobs — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {BenchmarkArguments.CpuName()}, {Environment.ProcessorCount} logical cores; load average at start: {BenchmarkArguments.LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"settings: train-step --preset {options.Preset} --batch-size {options.BatchSize} --frames {options.Frames}, {options.Warmup} warm-up + {options.Steps} timed steps, {options.Jobs} jobs at once, {options.Rounds} round(s) alternating alone / together, median ms/step"));
        Console.WriteLine();
        Console.WriteLine("| threads per job | alone (ms/step) | concurrent (ms/step, each job) | speed vs alone (each job) | worst | target ≥ 0.85 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        var usage = CpuUsage.Start();
        bool allMet = true;
        foreach (string threads in options.Threads)
        {
            var alone = new List<double>();
            var together = Enumerable.Range(0, options.Jobs).Select(_ => new List<double>()).ToList();
            for (int round = 0; round < options.Rounds; round++)
            {
                alone.Add(Median(RunProcesses(executable, options, threads, 1)[0].StepMs));
                var jobs = RunProcesses(executable, options, threads, options.Jobs);
                double overlapEnd = jobs.Min(j => j.EndUnixMs);
                for (int j = 0; j < jobs.Count; j++)
                    together[j].Add(Median(jobs[j].EndingBy(overlapEnd)));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"threads {threads}, round {round + 1}: alone {alone[^1]:F1} ms/step, together {string.Join(" / ", together.Select(t => t[^1].ToString("F1", CultureInfo.InvariantCulture)))} ms/step"));
            }
            double aloneMs = Median(alone);
            double[] jobMs = [.. together.Select(Median)];
            double[] fractions = [.. jobMs.Select(ms => aloneMs / ms)];
            bool met = fractions.Min() >= Target;
            allMet &= met;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {threads} | {aloneMs:F1} | {string.Join(" / ", jobMs.Select(ms => ms.ToString("F1", CultureInfo.InvariantCulture)))} | {string.Join(" / ", fractions.Select(f => f.ToString("F2", CultureInfo.InvariantCulture) + "×"))} | {fractions.Min():F2}× | {(met ? "met" : "not met")} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"load average at end: {BenchmarkArguments.LoadAverage()}");
        if (usage?.Shares() is var (others, steal))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"during the run: other processes used {100 * others:F1}% and hypervisor steal {100 * steal:F1}% of the CPU capacity"));
        return allMet ? 0 : 2;
    }

    /// Starts <paramref name="count"/> train-step processes at once and waits for their JSON lines.
    private static IReadOnlyList<StepTimes> RunProcesses(WorkerExecutable executable, ConcurrentJobsOptions options, string threads, int count)
    {
        var processes = Enumerable.Range(0, count).Select(_ => Start(executable, options, threads)).ToList();
        try
        {
            var outputs = processes.Select(p => (Output: p.StandardOutput.ReadToEndAsync(), Error: p.StandardError.ReadToEndAsync())).ToList();
            var results = new List<StepTimes>();
            for (int i = 0; i < processes.Count; i++)
            {
                processes[i].WaitForExit();
                string output = outputs[i].Output.GetAwaiter().GetResult();
                if (processes[i].ExitCode != 0)
                    throw new InvalidOperationException($"train-step exited with code {processes[i].ExitCode}: {outputs[i].Error.GetAwaiter().GetResult()}");
                using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
                var root = json.RootElement;
                results.Add(new StepTimes(root.GetProperty("start_unix_ms").GetDouble(),
                    [.. root.GetProperty("step_ms").EnumerateArray().Select(e => e.GetDouble())]));
            }
            return results;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    private static Process Start(WorkerExecutable executable, ConcurrentJobsOptions options, string threads)
    {
        var info = new ProcessStartInfo(executable.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            .. executable.PrefixArguments, "train-step", "--preset", options.Preset, "--threads", threads,
            "--warmup", Invariant(options.Warmup), "--steps", Invariant(options.Steps),
            "--batch-size", Invariant(options.BatchSize), "--frames", Invariant(options.Frames),
        ];
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (string name in new[] { ThreadBudget.OmpNumThreads, ThreadBudget.MklNumThreads, ThreadBudget.OmpWaitPolicy })
            info.Environment.Remove(name);
        if (threads != "default")
            foreach (var (name, value) in ThreadBudget.Environment(int.Parse(threads, CultureInfo.InvariantCulture)))
                info.Environment[name] = value;
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable.FileName}");
    }

    private static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
