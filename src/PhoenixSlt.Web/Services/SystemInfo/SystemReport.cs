namespace PhoenixSlt.Web.Services.SystemInfo;

/// What the System page shows: the machine's compute devices, the native and managed versions training uses,
/// and where the portal keeps data and checkpoints with the free space there.
/// <param name="NvidiaGpus">The GPUs nvidia-smi lists (empty without an NVIDIA driver); with a CPU build of libtorch
/// they are present but unused.</param>
public sealed record SystemReport(
    HostInfo Host,
    TorchInfo Torch,
    IReadOnlyList<CudaDeviceInfo> NvidiaGpus,
    IReadOnlyList<StorageInfo> Storage,
    DateTimeOffset GatheredAt)
{
    /// nvidia-smi sees GPUs that libtorch cannot use: the application runs the CPU build of libtorch.
    public bool GpusUnusedByLibTorch => NvidiaGpus.Count > 0 && !Torch.CudaAvailable;
}

/// The machine and runtime of the portal process.
/// <param name="CpuThreads">Logical processors available to the process.</param>
/// <param name="TotalMemoryBytes">Physical memory (or the container limit) the runtime may use.</param>
public sealed record HostInfo(
    string MachineName,
    string OsDescription,
    string ProcessArchitecture,
    int CpuThreads,
    long TotalMemoryBytes,
    string DotNetVersion,
    string FrameworkDescription);

/// libtorch as the portal sees it. <see cref="Error"/> is set when libtorch could not be loaded; the other
/// device fields are then empty.
/// <param name="LibTorchPackage">The native libtorch package the application was built with (e.g. libtorch-cpu-linux-x64).</param>
/// <param name="TorchThreads">libtorch's intra-op threads (torch.get_num_threads()).</param>
public sealed record TorchInfo(
    string TorchSharpVersion,
    string? LibTorchPackage,
    string? LibTorchVersion,
    bool CudaAvailable,
    bool CudnnAvailable,
    int? TorchThreads,
    IReadOnlyList<CudaDeviceInfo> CudaDevices,
    string? Error);

/// One CUDA device. Name and memory come from nvidia-smi when it is installed (libtorch's C API does not report
/// them); they are null otherwise.
public sealed record CudaDeviceInfo(int Index, string? Name, long? TotalMemoryBytes, long? FreeMemoryBytes);

/// A folder the portal uses and the file system it lives on. <see cref="Error"/> says why the free space is not
/// known (the other size fields are then null).
/// <param name="MountPoint">Root of the file system holding <see cref="Path"/>.</param>
public sealed record StorageInfo(
    string Label,
    string Path,
    bool Exists,
    string? MountPoint,
    string? FileSystem,
    long? TotalBytes,
    long? FreeBytes,
    string? Error)
{
    /// Used share of the file system, 0..100, or null when unknown.
    public double? UsedPercent => TotalBytes is > 0 and long total && FreeBytes is long free
        ? Math.Clamp(100.0 * (total - free) / total, 0, 100)
        : null;
}
