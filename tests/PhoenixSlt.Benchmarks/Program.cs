using System.Globalization;
using System.Runtime.InteropServices;
using PhoenixSlt.Benchmarks;
using TorchSharp;

// Decoding throughput: batched vs sequential beam search (docs/BENCHMARKS.md).
// Usage: PhoenixSlt.Benchmarks [--models tiny,d384] [--batches 1,8,32] [--beams 5] [--max-new-tokens 20]
//                               [--source-length 32] [--warmup 1] [--repeats 3] [--max-others-percent 5]
// Data loading: PhoenixSlt.Benchmarks loader [...] (LoaderBenchmark.Usage).
// Translation service: PhoenixSlt.Benchmarks translate [...] (TranslationBenchmark.Usage).
// Training step vs PyTorch eager: PhoenixSlt.Benchmarks train-step [...] (TrainStepBenchmark.Usage).
// Training processes sharing the CPU: PhoenixSlt.Benchmarks concurrent-jobs [...] (ConcurrentJobsBenchmark.Usage).
if (args.Length > 0 && args[0] == "loader")
    return LoaderBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "translate")
    return TranslationBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "train-step")
    return TrainStepBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "concurrent-jobs")
    return ConcurrentJobsBenchmark.Run(args[1..]);
var arguments = BenchmarkArguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: PhoenixSlt.Benchmarks [--models tiny,d384] [--batches 1,8,32] [--beams 5] [--max-new-tokens 20] [--source-length 32] [--warmup 1] [--repeats 3] [--max-others-percent 5]");
    return 1;
}

Console.WriteLine($"# decoding benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {BenchmarkArguments.CpuName()}, {Environment.ProcessorCount} logical cores, torch threads {torch.get_num_threads()}");
Console.WriteLine($"load average at start: {BenchmarkArguments.LoadAverage()}");
Console.WriteLine($"runtime: .NET {Environment.Version}, {RuntimeInformation.OSDescription}, TorchSharp {typeof(torch).Assembly.GetName().Version}");
Console.WriteLine($"settings: beams {arguments.Options.Beams}, max_new_tokens {arguments.Options.MaxNewTokens}, early_stopping true, source length {arguments.Options.SourceLength / 2}–{arguments.Options.SourceLength} (inputs_embeds), warm-up {arguments.Options.Warmup}, median of {arguments.Options.Repeats} (a repeat is rerun while other processes use > {arguments.Options.MaxOthersShare:P0} of the CPU)");
Console.WriteLine();
Console.WriteLine("| model | batch | batched (sent/s) | sequential (sent/s) | speed-up | mean generated tokens | others' CPU (max kept) | discarded repeats |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
string repoRoot = BenchmarkArguments.RepoRoot();
var usage = CpuUsage.Start();
foreach (string name in arguments.Models)
{
    var model = BenchmarkModels.Create(name, repoRoot);
    using (model.Model)
    {
        foreach (int batch in arguments.Batches)
        {
            var m = DecodingBenchmark.Measure(model, batch, arguments.Options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Model} | {m.BatchSize} | {m.BatchedSentencesPerSecond:F1} | {m.SequentialSentencesPerSecond:F1} | {m.Speedup:F2}× | {m.MeanGeneratedTokens:F1} | {100 * m.OthersShare:F1}% | {m.Discarded} |"));
        }
        Console.Error.WriteLine($"{model.Name}: {model.Description}");
    }
}
Console.WriteLine();
Console.WriteLine($"load average at end: {BenchmarkArguments.LoadAverage()}");
if (usage?.Shares() is var (others, steal))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"during the run: other processes used {100 * others:F1}% and hypervisor steal {100 * steal:F1}% of the CPU capacity"));
return 0;
