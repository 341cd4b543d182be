using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Services.Bootstrap;

/// First start: when the data root holds no dataset, writes the synthetic dataset to DataRoot/DefaultDataset
/// in the background (the portal is usable meanwhile) and publishes progress through <see cref="BootstrapNotifier"/>.
/// The dataset is written to a hidden folder next to its destination and moved into place only when complete,
/// so an interrupted run never leaves a half-written dataset behind.
public sealed class DatasetBootstrapper(
    PhoenixPaths paths,
    IOptions<FirstStartOptions> options,
    ISyntheticDatasetWriter writer,
    BootstrapNotifier notifier,
    DatasetOverviewCache cache,
    ILogger<DatasetBootstrapper> logger) : BackgroundService
{
    /// Minimum time between two progress notifications (the last sample always notifies).
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public const string PartialFolderPrefix = ".partial-";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        string dataset = paths.DefaultDataset;
        FirstStartOptions o = options.Value;
        IReadOnlyList<DatasetEntry> existing = DatasetCatalog.ListUnder(paths.DataRoot);
        if (existing.Count > 0 || !o.GenerateSyntheticDataset)
        {
            logger.LogInformation("First-start generation not needed: {DatasetCount} dataset(s) under {DataRoot}, generation enabled {Enabled}",
                existing.Count, paths.DataRoot, o.GenerateSyntheticDataset);
            notifier.Publish(new BootstrapStatus(BootstrapState.NotNeeded, dataset));
            Warm(existing.FirstOrDefault(d => d.Name == dataset) ?? existing.FirstOrDefault());
            return;
        }

        var size = new SyntheticDatasetSize(o.TrainSamples, o.DevSamples, o.TestSamples, o.Seed);
        string destination = paths.DefaultDatasetDir;
        string partial = Path.Combine(paths.DataRoot, $".{dataset}{PartialFolderPrefix}{Guid.NewGuid():N}");
        notifier.Publish(new BootstrapStatus(BootstrapState.Running, dataset, "starting", 0, size.Total));
        logger.LogInformation("Generating synthetic dataset {Dataset} into {Destination}: {Train}/{Dev}/{Test} samples, seed {Seed}",
            dataset, destination, size.Train, size.Dev, size.Test, size.Seed);
        try
        {
            RemoveStalePartials(dataset);
            Directory.CreateDirectory(partial);
            var progress = new ThrottledProgress(notifier, dataset, size.Total);
            await Task.Run(() => writer.Write(partial, size, progress, stoppingToken), stoppingToken);
            Publish(partial, destination);
            notifier.Publish(new BootstrapStatus(BootstrapState.Completed, dataset, "", size.Total, size.Total));
            logger.LogInformation("Synthetic dataset {Dataset} ready at {Destination}", dataset, destination);
            Warm(new DatasetEntry(dataset, destination));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Generation of {Dataset} stopped by shutdown", dataset);
            TryDelete(partial);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PhoenixDataException or ArgumentException)
        {
            logger.LogError(ex, "Generating synthetic dataset {Dataset} into {Destination} failed", dataset, destination);
            TryDelete(partial);
            notifier.Publish(new BootstrapStatus(BootstrapState.Failed, dataset, Error: $"{ex.Message} (writing {destination})"));
        }
    }

    /// Moves the finished dataset into place; keeps an existing dataset that appeared meanwhile.
    private void Publish(string partial, string destination)
    {
        if (DatasetCatalog.IsDataset(destination))
        {
            logger.LogWarning("{Destination} appeared while generating; keeping it and discarding the new copy", destination);
            TryDelete(partial);
            return;
        }
        if (Directory.Exists(destination) && !Directory.EnumerateFileSystemEntries(destination).Any())
            Directory.Delete(destination);
        Directory.Move(partial, destination);
    }

    private void RemoveStalePartials(string dataset)
    {
        if (!Directory.Exists(paths.DataRoot))
            return;
        foreach (string stale in Directory.EnumerateDirectories(paths.DataRoot, $".{dataset}{PartialFolderPrefix}*"))
        {
            logger.LogInformation("Removing {Folder} left by an interrupted generation", stale);
            TryDelete(stale);
        }
    }

    /// Starts the header inspection so the Datasets page opens without waiting.
    private void Warm(DatasetEntry? entry)
    {
        if (entry is not null)
            _ = cache.GetAsync(entry.Path);
    }

    private void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete {Folder}", dir);
        }
    }

    /// Forwards generator progress to the notifier at most every <see cref="ProgressInterval"/> (the generator reports
    /// from several threads; <see cref="ProgressThrottle"/> decides under a lock).
    private sealed class ThrottledProgress(BootstrapNotifier notifier, string dataset, int total) : IProgress<GenerationProgress>
    {
        private readonly ProgressThrottle _throttle = new(ProgressInterval);
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public void Report(GenerationProgress value)
        {
            lock (_throttle)
            {
                if (!_throttle.ShouldReport(_clock.Elapsed, value.Done, value.Total))
                    return;
            }
            int done = Math.Min(value.Done, total);
            notifier.Publish(new BootstrapStatus(BootstrapState.Running, dataset, value.Stage, done, total));
        }
    }
}
