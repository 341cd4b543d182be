using System.Diagnostics;
using System.Globalization;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Phases;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Benchmarks;

/// Settings of the `loader` mode.
public sealed record LoaderBenchmarkOptions
{
    /// An existing dataset root; null = generate a synthetic one in a temp folder.
    public string? Data { get; init; }
    public int Samples { get; init; } = 512;
    public int BatchSize { get; init; } = 8;
    public IReadOnlyList<int> Workers { get; init; } = [0, 1, 2];
    public IReadOnlyList<string> Presets { get; init; } = ["tiny", "base"];
    public int Steps { get; init; } = 3;
    public int Passes { get; init; } = 2;

    /// Null when an argument is unknown or malformed.
    public static LoaderBenchmarkOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new LoaderBenchmarkOptions();
        for (int i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
                return null;
            string value = args[i + 1];
            options = args[i] switch
            {
                "--data" => options with { Data = value },
                "--samples" => options with { Samples = Int(value) },
                "--batch-size" => options with { BatchSize = Int(value) },
                "--workers" => options with { Workers = [.. value.Split(',').Select(Int)] },
                "--presets" => options with { Presets = value.Split(',') },
                "--steps" => options with { Steps = Int(value) },
                "--passes" => options with { Passes = Int(value) },
                _ => null!,
            };
            if (options is null)
                return null;
        }
        return options;
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// Data-loading throughput (samples/s) of <see cref="PrefetchingLoader{T}"/> with 0 (training thread), 1, 2 …
/// workers over one epoch of length-bucketed batches, against the rate at which SLT training (forward, backward,
/// AdamW step on the CPU, batches already in memory) consumes samples for each preset.
public static class LoaderBenchmark
{
    public const string Usage = "usage: PhoenixSlt.Benchmarks loader [--data DIR] [--samples 512] [--batch-size 8] [--workers 0,1,2] [--presets tiny,base] [--steps 3] [--passes 2]";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = LoaderBenchmarkOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        Console.WriteLine($"# data-loading benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {BenchmarkArguments.CpuName()}, {Environment.ProcessorCount} logical cores, torch threads {get_num_threads()}");
        Console.WriteLine($"load average at start: {BenchmarkArguments.LoadAverage()}");
        var usage = CpuUsage.Start();

        string? temp = null;
        string root = options.Data ?? (temp = Path.Combine(Path.GetTempPath(), $"phoenix-loader-bench-{Guid.NewGuid():N}"));
        try
        {
            if (options.Data is null)
            {
                var clock = Stopwatch.StartNew();
                SyntheticPhoenixGenerator.Generate(new SynthOptions(root, options.Samples, 0, 0, 7) { MaxParallelism = 2 });
                Console.WriteLine($"synthetic dataset: {options.Samples} train samples generated in {clock.Elapsed.TotalSeconds:F1} s (files in the page cache)");
            }
            var train = PhoenixFeatureDataset.Open(root, "train");
            var batches = new BatchPlan(train.FrameCounts(), options.BatchSize, seed: 42).Batches(0, 0, 1);
            int maxFrames = ModelPresets.ScratchMBart(options.Presets[0], 100).MaxPositionEmbeddings;
            var collator = new Collator(new CollatorOptions(maxFrames));
            Console.WriteLine($"epoch: {train.Count} samples in {batches.Count} length-bucketed batches of {options.BatchSize}, MAX_FRAMES {maxFrames}, best of {options.Passes} passes");
            Console.WriteLine();
            Console.WriteLine("| loader workers | samples/s | ms per batch |");
            Console.WriteLine("|---:|---:|---:|");
            foreach (int workers in options.Workers)
            {
                double rate = Enumerable.Range(0, options.Passes).Max(_ => LoaderRate(train, collator, batches, workers));
                Console.WriteLine(Invariant($"| {workers} | {rate:F0} | {1000.0 * options.BatchSize / rate:F1} |"));
            }
            Console.WriteLine();
            Console.WriteLine("| preset | training samples/s (fwd+bwd+AdamW) | ms per step |");
            Console.WriteLine("|---|---:|---:|");
            var tokenizer = CorpusTokenizer.Build(train.Samples.Select(s => s.Translation));
            foreach (string preset in options.Presets)
            {
                double rate = TrainingRate(preset, tokenizer, train, batches, options);
                Console.WriteLine(Invariant($"| {preset} | {rate:F1} | {1000.0 * options.BatchSize / rate:F0} |"));
            }
        }
        finally
        {
            if (temp is not null && Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"load average at end: {BenchmarkArguments.LoadAverage()}");
        if (usage?.Shares() is var (others, steal))
            Console.WriteLine(Invariant($"during the run: other processes used {100 * others:F1}% and hypervisor steal {100 * steal:F1}% of the CPU capacity"));
        return 0;
    }

    private static double LoaderRate(PhoenixFeatureDataset train, Collator collator, IReadOnlyList<int[]> batches, int workers)
    {
        var load = PhoenixBatchLoading.For(train, collator);
        int samples = batches.Sum(b => b.Length);
        var clock = Stopwatch.StartNew();
        if (workers == 0)
        {
            foreach (int[] batch in batches)
                load(batch).Dispose();
        }
        else
        {
            using var loader = new PrefetchingLoader<PhoenixBatch>(batches, load, workers);
            for (int i = 0; i < batches.Count; i++)
                loader.Next().Dispose();
        }
        return samples / clock.Elapsed.TotalSeconds;
    }

    private static double TrainingRate(string preset, ISltTokenizer tokenizer, PhoenixFeatureDataset train, IReadOnlyList<int[]> batches, LoaderBenchmarkOptions options)
    {
        manual_seed(42);
        var mbart = ModelPresets.ScratchMBart(preset, tokenizer.VocabSize);
        using var model = new SignTranslationModel(ModelPresets.Slt(preset, mbart, freezeTextEncoder: false));
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), 1e-4);
        var collator = new Collator(new CollatorOptions(mbart.MaxPositionEmbeddings));
        var loaded = batches.Take(options.Steps + 1).Select(b => collator.Collate(train.Get(b))).ToList();
        try
        {
            Step(model, optimizer, loaded[0], tokenizer); // warm-up
            var clock = Stopwatch.StartNew();
            int samples = 0;
            foreach (var batch in loaded.Skip(1))
            {
                Step(model, optimizer, batch, tokenizer);
                samples += batch.Size;
            }
            return samples / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            loaded.ForEach(b => b.Dispose());
        }
    }

    private static void Step(SignTranslationModel model, optim.Optimizer optimizer, PhoenixBatch batch, ISltTokenizer tokenizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = model.call(SltInputs.From(batch, tokenizer, model.MaxDecoderPositions)).Loss!;
        loss.backward();
        optimizer.step();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
