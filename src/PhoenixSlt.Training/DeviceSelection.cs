using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training;

/// A parsed <c>--device</c> value: the CPU or one CUDA device.
/// <param name="IsCuda">True for cuda / cuda:N.</param>
/// <param name="Index">The CUDA device index (0 for plain "cuda"); 0 for the CPU.</param>
public readonly record struct DeviceSelection(bool IsCuda, int Index)
{
    public static DeviceSelection Cpu => new(false, 0);

    /// The spelling TorchSharp and the command line use: "cpu" or "cuda:N".
    public override string ToString() => IsCuda ? $"cuda:{Index}" : "cpu";

    /// The TorchSharp device.
    public Device ToDevice() => IsCuda ? new Device(DeviceType.CUDA, Index) : CPU;

    /// Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive) against the number of CUDA devices this
    /// process can see. <see cref="TrainingConfigurationException"/> when the text is not a device or when the CUDA
    /// device does not exist (with the reason: no CUDA at all, or an index out of range).
    public static DeviceSelection Parse(string text, int cudaDeviceCount, string option = "--device")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(cudaDeviceCount);
        if (!TryParseName(text, out var named))
            throw new TrainingConfigurationException($"{option} '{text}' is not a device; use cpu, cuda or cuda:N (N = 0, 1, …)");
        if (!named.IsCuda)
            return Cpu;
        int index = named.Index;

        if (cudaDeviceCount == 0)
            throw new TrainingConfigurationException(
                $"{option} {text}: CUDA is not available to this process (no CUDA device, driver or CUDA build of libtorch); " +
                "use --device cpu, or run the CUDA build (dotnet build -p:TorchBackend=cuda) on a machine with an NVIDIA GPU");
        if (index >= cudaDeviceCount)
            throw new TrainingConfigurationException(
                $"{option} {text}: there {(cudaDeviceCount == 1 ? "is 1 CUDA device (cuda:0)" : $"are {cudaDeviceCount} CUDA devices (cuda:0 … cuda:{cudaDeviceCount - 1})")}; pick one of those");
        return new DeviceSelection(true, index);
    }

    /// Parses the spelling only (cpu, cuda, cuda:N; case-insensitive), without asking libtorch which devices exist.
    public static bool TryParseName(string? text, out DeviceSelection device)
    {
        device = Cpu;
        string value = text?.Trim().ToLowerInvariant() ?? "";
        if (value == "cpu")
            return true;
        if (value == "cuda")
        {
            device = new DeviceSelection(true, 0);
            return true;
        }
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            device = new DeviceSelection(true, index);
            return true;
        }
        return false;
    }

    /// The devices a run of <paramref name="worldSize"/> processes starting at <paramref name="device"/> occupies:
    /// "cpu", or cuda:K … cuda:K+N-1.
    public static IReadOnlyList<string> DevicesOf(string device, int worldSize)
        => TryParseName(device, out var first) && first.IsCuda
            ? [.. Enumerable.Range(first.Index, Math.Max(1, worldSize)).Select(i => $"cuda:{i.ToString(CultureInfo.InvariantCulture)}")]
            : ["cpu"];

    /// <see cref="Parse(string, int, string)"/> against the CUDA devices libtorch reports.
    public static DeviceSelection Parse(string text) => Parse(text, CudaDeviceCount());

    /// CUDA devices visible to libtorch (0 on a CPU build).
    public static int CudaDeviceCount() => cuda.is_available() ? cuda.device_count() : 0;
}
