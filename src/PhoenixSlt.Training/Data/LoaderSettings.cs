using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Training.Data;

/// How the training phases load their batches (`--loader-workers`).
public static class LoaderSettings
{
    /// Background loading threads when none are requested: min(2, cores − 1), at least 1 — one core stays with the
    /// training thread, and loading a batch costs far less than a training step, so more threads would only compete
    /// with the model for the cores (docs/BENCHMARKS.md, "Data loading").
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount - 1, 1, 2);

    /// The requested worker count, or the default; throws <see cref="TrainingConfigurationException"/> when negative.
    public static int Resolve(int? workers)
        => workers switch
        {
            null => DefaultWorkers,
            < 0 => throw new TrainingConfigurationException(
                $"--loader-workers {workers} must be 0 (load on the training thread) or a positive number of background threads"),
            int n => n,
        };

    /// The prefetcher of a training task over <paramref name="train"/> (CPU batches, moved to the device by the task);
    /// each sample is augmented for its epoch when <paramref name="augmentation"/> is given.
    public static EpochPrefetcher<PhoenixBatch> Create(PhoenixFeatureDataset train, Collator collator, int? workers, TrainingAugmentation? augmentation = null)
        => new(PhoenixBatchLoading.For(train, collator, augmentation), Resolve(workers));
}
