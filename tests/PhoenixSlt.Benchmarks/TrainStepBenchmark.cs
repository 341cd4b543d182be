using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Phases;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Benchmarks;

/// Settings of the `train-step` mode. The shapes are those of tests/PhoenixSlt.Benchmarks/pytorch/slt_small_step.py,
/// which builds the same batch (same lengths, its own random values).
public sealed record TrainStepOptions
{
    public string Preset { get; init; } = "small";
    public int BatchSize { get; init; } = 16;

    /// Keypoint frames of the longest clip (the batch's T); the others are up to 20 % shorter.
    public int Frames { get; init; } = 150;

    /// Tokens of the longest label row ("words &lt;/s&gt; lang"); the others are up to 3 shorter.
    public int LabelLength { get; init; } = 20;

    /// Vocabulary of the scratch mBART (a corpus tokenizer of the real PHOENIX-2014-T text has ~2,900 words + specials).
    public int Vocab { get; init; } = 3000;

    public int Warmup { get; init; } = 3;
    public int Steps { get; init; } = 10;

    /// libtorch intra-op threads; null = leave libtorch's default.
    public int? Threads { get; init; } = 1;

    public int Seed { get; init; } = 42;

    /// A folder for the parity check: initial weights, the batch and the reference losses of a dropout-free copy of
    /// the model (no timing then).
    public string? Export { get; init; }

    /// Null when an argument is unknown or malformed.
    public static TrainStepOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new TrainStepOptions();
        for (int i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
                return null;
            string value = args[i + 1];
            options = args[i] switch
            {
                "--preset" => options with { Preset = value },
                "--batch-size" => options with { BatchSize = Int(value) },
                "--frames" => options with { Frames = Int(value) },
                "--label-length" => options with { LabelLength = Int(value) },
                "--vocab" => options with { Vocab = Int(value) },
                "--warmup" => options with { Warmup = Int(value) },
                "--steps" => options with { Steps = Int(value) },
                "--threads" => options with { Threads = value == "default" ? null : Int(value) },
                "--seed" => options with { Seed = Int(value) },
                "--export" => options with { Export = value },
                _ => null!,
            };
            if (options is null)
                return null;
        }
        return options.BatchSize > 0 && options.Frames >= 5 && options.LabelLength >= 5 && options.Vocab >= 10 && options.Steps > 0 ? options : null;
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

/// The batch of a train-step run. Lengths (the same formulas as the Python mirror): clip b has
/// T_b = T − ⌊0.2·T·b/B⌋ keypoint frames and ⌈T_b/2⌉ SigLIP frames (the synthetic data's rate); label row b has
/// L − (b mod 4) tokens: random words, &lt;/s&gt; (2) and a language id (V − 1), right-padded with &lt;pad&gt; (1).
public sealed record TrainStepBatch(Tensor Keypoints, Tensor KeypointMask, Tensor Siglip, Tensor SiglipMask, Tensor Labels) : IDisposable
{
    public static long[] FrameLengths(int batch, int frames) => [.. Enumerable.Range(0, batch).Select(b => (long)(frames - (int)Math.Floor(0.2 * frames * b / batch)))];

    public static long[] LabelLengths(int batch, int length) => [.. Enumerable.Range(0, batch).Select(b => (long)(length - b % 4))];

    public SltInputs Inputs => new(new VisualInputs(Keypoints, KeypointMask, Siglip, SiglipMask), Labels);

    public static TrainStepBatch Create(TrainStepOptions options, Generator generator)
    {
        int b = options.BatchSize, t = options.Frames, ts = (t + 1) / 2, l = options.LabelLength;
        long[] frames = FrameLengths(b, t), labelLengths = LabelLengths(b, l);
        long[] siglipFrames = [.. frames.Select(f => (f + 1) / 2)];
        using var scope = NewDisposeScope();
        Tensor keypointMask = arange(t).unsqueeze(0).lt(tensor(frames).unsqueeze(1));                // (B, T)
        Tensor siglipMask = arange(ts).unsqueeze(0).lt(tensor(siglipFrames).unsqueeze(1));          // (B, T')
        Tensor keypoints = randn([b, t, 225], generator: generator)
            .masked_fill(keypointMask.logical_not().unsqueeze(-1), 0.0);                             // (B, T, 225)
        Tensor siglip = nn.functional.normalize(randn([b, ts, 768], generator: generator), p: 2, dim: -1)
            .masked_fill(siglipMask.logical_not().unsqueeze(-1), 0.0);                               // (B, T', 768) unit rows
        Tensor words = randint(4, options.Vocab - 1, [b, l], generator: generator);                  // (B, L)
        var labels = new long[b * l];
        for (int row = 0; row < b; row++)
        {
            int n = (int)labelLengths[row];
            for (int j = 0; j < l; j++)
                labels[row * l + j] = j < n - 2 ? words[row, j].item<long>() : j == n - 2 ? 2 : j == n - 1 ? options.Vocab - 1 : 1;
        }
        var batch = new TrainStepBatch(keypoints, keypointMask, siglip, siglipMask, tensor(labels, [b, l]));
        foreach (var tensor in new[] { batch.Keypoints, batch.KeypointMask, batch.Siglip, batch.SiglipMask, batch.Labels })
            tensor.MoveToOuterDisposeScope();
        return batch;
    }

    public void Dispose()
    {
        Keypoints.Dispose();
        KeypointMask.Dispose();
        Siglip.Dispose();
        SiglipMask.Dispose();
        Labels.Dispose();
    }
}

/// CPU time of this process (all its threads: libtorch's, the runtime's, the GC's), as Python's time.process_time.
internal static partial class ProcessCpuTime
{
    private const int ClockProcessCpuTimeId = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    public static double Milliseconds()
        => ClockGetTime(ClockProcessCpuTimeId, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
}

/// Time of one training step of the SLT model as the trainer runs it (SLT from scratch, AMP off): zero_grad,
/// forward with the label-smoothed loss, backward, global-norm clipping at 1.0, learning rates set, AdamW step.
/// Prints one JSON line (per-step milliseconds of the whole step and of its forward, backward and optimizer parts)
/// for tests/PhoenixSlt.Benchmarks/pytorch/compare_train_step.py, which alternates it with the PyTorch mirror.
public static class TrainStepBenchmark
{
    public const string Usage = "usage: PhoenixSlt.Benchmarks train-step [--preset small] [--batch-size 16] [--frames 150] [--label-length 20] [--vocab 3000] [--warmup 3] [--steps 10] [--threads 1|default] [--seed 42] [--export DIR]";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = TrainStepOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        if (options.Threads is int threads)
            set_num_threads(threads);
        return options.Export is null ? Time(options) : Export(options);
    }

    /// The model of the preset with a scratch mBART of <paramref name="vocab"/> tokens whose text encoder trains
    /// (what `train slt --preset small` builds without --mbart or --init); optionally without any dropout.
    public static SignTranslationModel BuildModel(string preset, int vocab, bool withoutDropout = false)
    {
        var mbart = ModelPresets.ScratchMBart(preset, vocab);
        var config = ModelPresets.Slt(preset, mbart, freezeTextEncoder: false);
        if (withoutDropout)
            config = config with
            {
                MBart = config.MBart with { Dropout = 0, AttentionDropout = 0, ActivationDropout = 0 },
                FusionEncoder = config.FusionEncoder with { Dropout = 0, AttentionDropout = 0 },
                AdapterDropout = 0,
            };
        return new SignTranslationModel(config);
    }

    private static (AdamW Optimizer, IReadOnlyList<OptimizerGroup> Groups, List<Parameter> Parameters) Optimizer(SignTranslationModel model)
    {
        var groups = model.ParameterGroups();
        var rates = groups.ToDictionary(g => g.Name, _ => ModelPresets.EncoderLearningRate("small"));
        var (optimizer, built) = OptimizerFactory.CreateAdamW(groups, new TrainerOptions { MaxSteps = 1, LearningRates = rates });
        return (optimizer, built, [.. groups.SelectMany(g => g.Parameters)]);
    }

    private static int Time(TrainStepOptions options)
    {
        manual_seed(options.Seed);
        using var model = BuildModel(options.Preset, options.Vocab);
        var (optimizer, groups, parameters) = Optimizer(model);
        using var _ = optimizer;
        using var generator = new Generator((ulong)options.Seed);
        using var batch = TrainStepBatch.Create(options, generator);
        long parameterCount = model.parameters().Sum(p => p.numel());

        var step = new List<double>();
        var forward = new List<double>();
        var backward = new List<double>();
        var update = new List<double>();
        var cpu = new List<double>();
        var losses = new List<double>();
        double timedStart = double.NaN;
        for (int i = 0; i < options.Warmup + options.Steps; i++)
        {
            if (i == options.Warmup)
                timedStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            double cpuStart = ProcessCpuTime.Milliseconds();
            var clock = Stopwatch.StartNew();
            double f, b;
            using (var scope = NewDisposeScope())
            {
                model.train();
                optimizer.zero_grad();
                Tensor loss = model.call(batch.Inputs).Loss!;
                f = clock.Elapsed.TotalMilliseconds;
                loss.backward();
                b = clock.Elapsed.TotalMilliseconds;
                GradientClipping.ClipGlobalNorm(parameters, 1.0);
                OptimizerFactory.SetLearningRates(groups, 1.0);
                optimizer.step();
                if (i >= options.Warmup)
                    losses.Add(loss.item<float>()); // a CPU scalar: microseconds (the Python mirror reads it too)
            }
            double total = clock.Elapsed.TotalMilliseconds;
            double cpuTotal = ProcessCpuTime.Milliseconds() - cpuStart;
            if (i < options.Warmup)
                continue;
            step.Add(total);
            cpu.Add(cpuTotal);
            forward.Add(f);
            backward.Add(b - f);
            update.Add(total - b);
        }
        var result = new Dictionary<string, object?>
        {
            ["side"] = "torchsharp",
            ["versions"] = $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}, .NET {Environment.Version}",
            ["threads"] = get_num_threads(),
            ["preset"] = options.Preset,
            ["parameters"] = parameterCount,
            ["shapes"] = Shapes(options),
            ["step_ms"] = step,
            ["forward_ms"] = forward,
            ["backward_ms"] = backward,
            ["optimizer_ms"] = update,
            ["cpu_ms"] = cpu,
            ["start_unix_ms"] = timedStart, // wall clock at the first timed step (concurrent-jobs lines up processes with it)
            ["first_loss"] = losses[0],
            ["last_loss"] = losses[^1],
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// Writes DIR/model.safetensors (the initial weights), DIR/batch.safetensors and DIR/reference.json: the training
    /// loss, the gradient norm before clipping, and after one clipped AdamW step the training and evaluation losses of
    /// a dropout-free copy of the model. The Python mirror loads the same weights and batch and compares.
    private static int Export(TrainStepOptions options)
    {
        string folder = Path.GetFullPath(options.Export!);
        Directory.CreateDirectory(folder);
        manual_seed(options.Seed);
        using var model = BuildModel(options.Preset, options.Vocab, withoutDropout: true);
        var (optimizer, groups, parameters) = Optimizer(model);
        using var _ = optimizer;
        using var generator = new Generator((ulong)options.Seed);
        using var batch = TrainStepBatch.Create(options, generator);
        SafetensorsFile.Save(Path.Combine(folder, "model.safetensors"), ModelWeights.ForSaving(model));
        SafetensorsFile.Save(Path.Combine(folder, "batch.safetensors"), new Dictionary<string, Tensor>
        {
            ["keypoints"] = batch.Keypoints,
            ["keypoint_mask"] = batch.KeypointMask,
            ["siglip"] = batch.Siglip,
            ["siglip_mask"] = batch.SiglipMask,
            ["labels"] = batch.Labels,
        });

        using var scope = NewDisposeScope();
        model.train();
        optimizer.zero_grad();
        Tensor loss = model.call(batch.Inputs).Loss!;
        loss.backward();
        Tensor norm = GradientClipping.ClipGlobalNorm(parameters, 1.0)!;
        OptimizerFactory.SetLearningRates(groups, 1.0);
        optimizer.step();
        double lossAfter, evalLossAfter;
        using (no_grad())
        {
            lossAfter = model.call(batch.Inputs).Loss!.item<float>();
            model.eval();
            evalLossAfter = model.call(batch.Inputs).Loss!.item<float>();
        }
        var reference = new Dictionary<string, object>
        {
            ["parameters"] = model.parameters().Sum(p => p.numel()),
            ["parameter_shapes"] = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape),
            ["loss"] = loss.item<float>(),
            ["grad_norm"] = norm.item<float>(),
            ["loss_after_step"] = lossAfter,
            ["eval_loss_after_step"] = evalLossAfter,
            ["shapes"] = Shapes(options),
        };
        File.WriteAllText(Path.Combine(folder, "reference.json"), JsonSerializer.Serialize(reference, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exported to {folder}: loss {reference["loss"]}, grad norm {reference["grad_norm"]}, after one step {lossAfter} (train) / {evalLossAfter} (eval), {reference["parameters"]} parameters"));
        return 0;
    }

    private static string Shapes(TrainStepOptions o)
        => string.Create(CultureInfo.InvariantCulture, $"B {o.BatchSize}, keypoints ({o.BatchSize}, {o.Frames}, 225), SigLIP ({o.BatchSize}, {(o.Frames + 1) / 2}, 768), labels ({o.BatchSize}, {o.LabelLength}), vocab {o.Vocab}");
}
