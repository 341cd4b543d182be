using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Services.Runs;

/// How fast a preset trains and validates on a device. <see cref="TrainSamplesPerSecond"/>: training samples per
/// second (all processes); <see cref="GreedyClipsPerSecond"/>: validation clips decoded per second with one beam.
/// <see cref="Source"/> says where the numbers come from ("3 past runs", or the fallback).
public sealed record PresetSpeed(double TrainSamplesPerSecond, double GreedyClipsPerSecond, string Source, bool Measured)
{
    /// Rough rates of one process of the tiny, small and base presets on a 2-core CPU with other work beside it
    /// (the machine of docs/BENCHMARKS.md: the quick demo, 30 steps of 4 samples per stage with two greedy
    /// validations of 519 clips, took 8 minutes); a CUDA device counts <see cref="CudaFactor"/> times as fast.
    /// Used when no completed run of the preset on the device exists yet.
    public static IReadOnlyDictionary<string, (double Train, double Greedy)> CpuFallback { get; } = new Dictionary<string, (double, double)>(StringComparer.Ordinal)
    {
        ["tiny"] = (50, 5),
        ["small"] = (10, 1.5),
        ["base"] = (1, 0.2),
    };

    public const double CudaFactor = 10;

    /// The fallback rates of <paramref name="preset"/> on <paramref name="device"/> (the tiny preset's for an
    /// unknown name).
    public static PresetSpeed Fallback(string preset, string device)
    {
        var (train, greedy) = CpuFallback.TryGetValue(preset, out var rates) ? rates : CpuFallback["tiny"];
        double factor = RunSpecDefaults.IsCpu(device) ? 1 : CudaFactor;
        return new PresetSpeed(train * factor, greedy * factor, "typical speed of the preset (no finished run of it on this device yet)", Measured: false);
    }

    /// The median training speed of past runs (their last step event's samples/s), with the fallback's validation
    /// rate scaled by the same ratio; the fallback when there are none.
    public static PresetSpeed FromHistory(IReadOnlyList<double> samplesPerSecond, string preset, string device)
    {
        ArgumentNullException.ThrowIfNull(samplesPerSecond);
        var fallback = Fallback(preset, device);
        double[] rates = [.. samplesPerSecond.Where(r => double.IsFinite(r) && r > 0).Order()];
        if (rates.Length == 0)
            return fallback;
        double median = rates.Length % 2 == 1 ? rates[rates.Length / 2] : (rates[rates.Length / 2 - 1] + rates[rates.Length / 2]) / 2;
        return new PresetSpeed(median, fallback.GreedyClipsPerSecond * median / fallback.TrainSamplesPerSecond,
            rates.Length == 1 ? "measured on 1 finished run on this device" : $"measured on {rates.Length} finished runs on this device", Measured: true);
    }

    /// The training speeds of the latest completed runs of <paramref name="preset"/> on <paramref name="device"/>.
    public static async Task<PresetSpeed> MeasureAsync(IDbContextFactory<PhoenixDbContext> contexts, string preset, string device, int latest = 10,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.Runs.AsNoTracking()
            .Where(r => r.Status == JobStatus.Completed && r.Device == device && r.SamplesPerSecond != null)
            .OrderByDescending(r => r.FinishedAt).Take(latest * 4)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var rates = runs.Where(r => RunStore.ConfigOf(r).Preset == preset).Take(latest).Select(r => r.SamplesPerSecond!.Value).ToList();
        return FromHistory(rates, preset, device);
    }
}

/// One stage of an estimate: optimizer steps, validation passes and the time of each.
public sealed record StageEstimate(string Phase, long Steps, long Validations, TimeSpan Training, TimeSpan Validation)
{
    public TimeSpan Total => Training + Validation;
}

/// The estimated wall time of a run before it starts: per stage (the pipeline has three) the training steps from
/// the corpus size, the batch and the epochs or max_steps, and the validations (every eval_every steps or every
/// epoch, and a last one at the end) with their decoding cost (the beams, per validation clip).
public sealed record RunEstimate(IReadOnlyList<StageEstimate> Stages, PresetSpeed Speed)
{
    public TimeSpan Total => Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Total);

    /// A forward pass costs about a third of a training step (forward + backward + update).
    public const double ForwardShareOfStep = 1.0 / 3;

    /// The estimate of <paramref name="spec"/> on a dataset of <paramref name="trainClips"/> training and
    /// <paramref name="validationClips"/> validation clips at <paramref name="speed"/>; null when the corpus is empty.
    public static RunEstimate? Of(RunSpec spec, int trainClips, int validationClips, PresetSpeed speed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(speed);
        if (trainClips <= 0 || speed.TrainSamplesPerSecond <= 0 || speed.GreedyClipsPerSecond <= 0 || !HasValidBudget(spec))
            return null;
        var stages = PipelinePlan.Stages(spec with { Out = Path.Combine(Path.GetTempPath(), "estimate") });
        return new RunEstimate([.. stages.Select(s => Stage(s.Spec, trainClips, Math.Max(0, validationClips), speed))], speed);
    }

    /// The settings the estimate reads are within their limits (a form being edited may hold anything).
    private static bool HasValidBudget(RunSpec spec)
    {
        var problems = spec.Validate(SpecContext.ValuesOnly);
        return new[] { "epochs", "text_epochs", "max_steps", "eval_every", "batch_size", "accumulate", "world_size", "beams" }
            .All(name => problems.FirstFor(name) is null);
    }

    /// One phase: steps = min(max_steps, epochs × ⌈clips / samples per step⌉); validations = one per eval_every
    /// steps (or per epoch) plus one at the end when the last step is not a validation point.
    public static StageEstimate Stage(RunSpec spec, int trainClips, int validationClips, PresetSpeed speed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(speed);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainClips);
        long samplesPerStep = (long)Math.Max(1, spec.BatchSize) * Math.Max(1, spec.Accumulate) * Math.Max(1, spec.WorldSize);
        long stepsPerEpoch = (trainClips + samplesPerStep - 1) / samplesPerStep;
        long steps = spec.EffectiveEpochs is int epochs ? epochs * stepsPerEpoch : long.MaxValue;
        if (spec.MaxSteps is long maxSteps)
            steps = Math.Min(steps, maxSteps);
        long every = spec.EvalEvery is long n && n > 0 ? n : stepsPerEpoch;
        long validations = steps / every + (steps % every == 0 ? 0 : 1);
        double trainingSeconds = steps * (double)samplesPerStep / speed.TrainSamplesPerSecond;
        double lossPass = validationClips / (speed.TrainSamplesPerSecond / ForwardShareOfStep);
        bool decodes = spec.Phase != TrainingPhaseNames.Vlp;   // slt and the text phase translate their validation split
        double decoding = decodes ? validationClips * (double)Math.Max(1, spec.Beams) / speed.GreedyClipsPerSecond : 0;
        return new StageEstimate(spec.Phase, steps, validations, Seconds(trainingSeconds), Seconds(validations * (lossPass + decoding)));
    }

    /// Estimates are capped at ten years (a run of int.MaxValue epochs has no meaningful duration).
    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(3650).TotalSeconds));

    /// "45 s", "12 min", "2 h 05 min", "3 d 4 h".
    public static string Format(TimeSpan time)
    {
        if (time < TimeSpan.FromMinutes(1))
            return $"{Math.Max(1, (int)Math.Round(time.TotalSeconds, MidpointRounding.AwayFromZero))} s";
        if (time < TimeSpan.FromHours(1))
            return $"{(int)Math.Round(time.TotalMinutes, MidpointRounding.AwayFromZero)} min";
        if (time < TimeSpan.FromDays(1))
            return $"{(int)time.TotalHours} h {time.Minutes:00} min";
        return $"{(int)time.TotalDays} d {time.Hours} h";
    }
}
