using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;

namespace PhoenixSlt.Web.Services.SystemInfo;

/// Gathers the <see cref="SystemReport"/> of the System page: the portal's `gpu-check`. It only asks libtorch what
/// it sees (CUDA availability and device count, threads); nothing is allocated on a device and nothing trains.
public sealed class SystemInfoService(PhoenixPaths paths, ILogger<SystemInfoService> logger)
{
    /// How long nvidia-smi may take before its answer is given up.
    public static readonly TimeSpan NvidiaSmiTimeout = TimeSpan.FromSeconds(5);

    /// What libtorch reports does not change while the process runs: asked once, on a thread-pool thread (the first
    /// call into TorchSharp loads libtorch, hundreds of MB).
    private static readonly Lazy<Task<TorchProbe>> Probe = new(() => Task.Run(ProbeTorch));

    /// CUDA devices libtorch can use in this process (0 with the CPU build or without a driver); the training
    /// processes run the same build and see the same devices.
    public async Task<int> CudaDeviceCountAsync() => (await ProbeAsync()).CudaDeviceCount;

    public async Task<SystemReport> GatherAsync(CancellationToken cancellationToken = default)
    {
        Task<TorchProbe> torch = ProbeAsync();
        IReadOnlyList<CudaDeviceInfo> gpus = await NvidiaSmi.QueryAsync(NvidiaSmiTimeout, cancellationToken);
        TorchProbe probe = await torch.WaitAsync(cancellationToken);
        (string? libTorchPackage, string? libTorchVersion) = FindLibTorchPackage();

        string? visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        CudaDeviceInfo[] cudaDevices = [.. Enumerable.Range(0, probe.CudaDeviceCount).Select(i =>
        {
            CudaDeviceInfo? smi = gpus.FirstOrDefault(g => g.Index == NvidiaSmi.PhysicalIndex(i, visible));
            return new CudaDeviceInfo(i, smi?.Name, smi?.TotalMemoryBytes, smi?.FreeMemoryBytes);
        })];

        var torchInfo = new TorchInfo(
            TorchSharpVersion(),
            libTorchPackage,
            libTorchVersion,
            probe.CudaDeviceCount > 0,
            probe.CudnnAvailable,
            probe.Threads,
            cudaDevices,
            probe.Error);
        return new SystemReport(Host(), torchInfo, gpus, Storage(), DateTimeOffset.UtcNow);
    }

    /// The portal's folders: datasets and checkpoints.
    public IReadOnlyList<StorageInfo> Storage() =>
    [
        StorageProbe.Describe("Data root", paths.DataRoot),
        StorageProbe.Describe("Checkpoint root", paths.CheckpointRoot),
    ];

    public static HostInfo Host() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Environment.Version.ToString(),
        RuntimeInformation.FrameworkDescription);

    /// TorchSharp's informational version without the source revision suffix ("0.107.0").
    public static string TorchSharpVersion()
    {
        Assembly assembly = typeof(torch).Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
            return informational.Split('+')[0];
        return assembly.GetName().Version?.ToString() ?? "unknown";
    }

    private (string? Package, string? Version) FindLibTorchPackage()
    {
        foreach (string file in DepsJsonLibraries.CandidateFiles(Path.GetDirectoryName(typeof(torch).Assembly.Location)))
        {
            try
            {
                if (DepsJsonLibraries.FindLibTorch(DepsJsonLibraries.Parse(File.ReadAllText(file))) is { } found)
                    return (found.Key, found.Value);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                logger.LogWarning(ex, "Reading {DepsFile} for the libtorch version failed", file);
            }
        }
        return (null, null);
    }

    private async Task<TorchProbe> ProbeAsync()
    {
        TorchProbe probe = await Probe.Value;
        if (probe.Exception is { } ex)
            logger.LogWarning(ex, "libtorch could not be loaded for the system report");
        return probe;
    }

    private static TorchProbe ProbeTorch()
    {
        try
        {
            bool cuda = torch.cuda.is_available();
            return new TorchProbe(
                cuda ? torch.cuda.device_count() : 0,
                cuda && torch.cuda.is_cudnn_available(),
                torch.get_num_threads(),
                null,
                null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or NotSupportedException
                                       or ExternalException or EntryPointNotFoundException or BadImageFormatException)
        {
            return new TorchProbe(0, false, null, ex,
                $"libtorch could not be loaded ({ex.GetBaseException().Message}). Training workers need it too: " +
                "rebuild the application (the build installs the native library) and check the log of the first start.");
        }
    }

    private sealed record TorchProbe(int CudaDeviceCount, bool CudnnAvailable, int? Threads, Exception? Exception, string? Error);
}
