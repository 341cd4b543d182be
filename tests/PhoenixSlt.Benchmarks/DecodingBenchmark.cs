using System.Diagnostics;
using PhoenixSlt.Core.Decoding;
using static TorchSharp.torch;

namespace PhoenixSlt.Benchmarks;

/// Settings of one benchmark run.
/// <param name="MaxOthersShare">A repeat during which other processes used more than this share of the CPU is
/// discarded and run again (at most <paramref name="MaxAttempts"/> runs per repeat); the machine may be shared.</param>
public sealed record DecodingBenchmarkOptions(
    int Beams = 5,
    int MaxNewTokens = 20,
    int SourceLength = 32,
    int Warmup = 1,
    int Repeats = 3,
    int Seed = 1234,
    double MaxOthersShare = 0.05,
    int MaxAttempts = 20);

/// Throughput of one (model, batch size) cell: batched generation vs the same sentences one call each.
/// <param name="Discarded">Repeats thrown away because other processes were busy.</param>
/// <param name="OthersShare">Largest CPU share other processes used during a kept repeat.</param>
public sealed record DecodingMeasurement(string Model, int BatchSize, double BatchedSeconds, double SequentialSeconds, double MeanGeneratedTokens, int Discarded, double OthersShare)
{
    public double BatchedSentencesPerSecond => BatchSize / BatchedSeconds;
    public double SequentialSentencesPerSecond => BatchSize / SequentialSeconds;
    public double Speedup => SequentialSeconds / BatchedSeconds;
}

/// Batched vs sequential beam-search decoding with <see cref="SequenceGenerator"/>: the same random source
/// sentences (inputs_embeds, lengths between half and all of the source length, right-padded) decoded in one call of
/// batch B, and in B calls of batch 1 on the unpadded sentences. Median wall time over the repeats after warm-up,
/// the two variants alternating.
public static class DecodingBenchmark
{
    public static DecodingMeasurement Measure(BenchmarkModel model, int batchSize, DecodingBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var generator = new SequenceGenerator(model.Model);
        var config = new GenerationConfig
        {
            NumBeams = options.Beams,
            MaxNewTokens = options.MaxNewTokens,
            EarlyStopping = EarlyStopping.OnBeamsFinished,
            DecoderStartTokenId = model.DecoderStartTokenId,
        };
        var (embeds, mask, lengths) = Sources(batchSize, model.Model.Config.DModel, options);
        try
        {
            int generated = 0;
            void Batched()
            {
                using var output = generator.Generate(GenerationInputs.FromEmbeds(embeds, mask), config);
                generated = output.Sequences.Sum(GeneratedTokens);
            }
            void Sequential()
            {
                for (int row = 0; row < batchSize; row++)
                {
                    using var scope = NewDisposeScope();
                    var one = embeds[row].narrow(0, 0, lengths[row]).unsqueeze(0); // (1, length, D)
                    using var output = generator.Generate(GenerationInputs.FromEmbeds(one), config);
                }
            }
            var timing = InterleavedMedians(options, Batched, Sequential);
            return new DecodingMeasurement(model.Name, batchSize, timing.First, timing.Second, (double)generated / batchSize, timing.Discarded, timing.OthersShare);
        }
        finally
        {
            embeds.Dispose();
            mask.Dispose();
        }
    }

    /// Tokens after the start token up to and including EOS (padding excluded).
    public static int GeneratedTokens(long[] sequence)
    {
        int eos = Array.IndexOf(sequence, 2L, 1);
        return eos < 0 ? sequence.Length - 1 : eos;
    }

    private static (Tensor Embeds, Tensor Mask, long[] Lengths) Sources(int batchSize, int dModel, DecodingBenchmarkOptions options)
    {
        var random = new Random(options.Seed + batchSize);
        long[] lengths = [.. Enumerable.Range(0, batchSize).Select(_ => (long)random.Next(options.SourceLength / 2, options.SourceLength + 1))];
        var generator = new Generator((ulong)(options.Seed + batchSize));
        var embeds = randn([batchSize, options.SourceLength, dModel], generator: generator); // (B,S,D)
        var positions = arange(options.SourceLength).unsqueeze(0); // (1,S)
        var mask = positions.lt(tensor(lengths).unsqueeze(1)).to(ScalarType.Int64); // (B,S) 1 = real
        return (embeds, mask, lengths);
    }

    /// Shortest measured interval: short actions are run several times per repeat, so that timer and CPU-usage
    /// resolution (10 ms ticks of /proc/stat) do not dominate.
    private const double MinimumIntervalSeconds = 0.5;

    /// Median wall times (per run) of <paramref name="first"/> and <paramref name="second"/>, run alternately after the
    /// warm-up so that both see the same background load; a repeat during which other processes were busy is run again.
    private static (double First, double Second, int Discarded, double OthersShare) InterleavedMedians(DecodingBenchmarkOptions options, Action first, Action second)
    {
        for (int i = 0; i < options.Warmup; i++)
        {
            first();
            second();
        }
        int firstRuns = RunsPerInterval(first), secondRuns = RunsPerInterval(second);
        var a = new double[options.Repeats];
        var b = new double[options.Repeats];
        int discarded = 0;
        double worstKept = 0;
        for (int i = 0; i < options.Repeats; i++)
        {
            for (int attempt = 1; ; attempt++)
            {
                var usage = CpuUsage.Start();
                a[i] = Seconds(first, firstRuns) / firstRuns;
                b[i] = Seconds(second, secondRuns) / secondRuns;
                double others = usage?.Shares().Others ?? 0;
                if (others <= options.MaxOthersShare || attempt >= options.MaxAttempts)
                {
                    worstKept = Math.Max(worstKept, others);
                    break;
                }
                discarded++;
            }
        }
        return (Median(a), Median(b), discarded, worstKept);
    }

    private static int RunsPerInterval(Action run) => (int)Math.Ceiling(MinimumIntervalSeconds / Math.Max(Seconds(run, 1), 1e-4));

    private static double Seconds(Action run, int times)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < times; i++)
            run();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
