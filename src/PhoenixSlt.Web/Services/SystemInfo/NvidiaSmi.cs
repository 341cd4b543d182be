using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace PhoenixSlt.Web.Services.SystemInfo;

/// GPU names and memory from <c>nvidia-smi</c>, which libtorch's C API does not report.
public static class NvidiaSmi
{
    public const string Executable = "nvidia-smi";

    /// Arguments of the query <see cref="Parse"/> reads: index, name, total and free memory in MiB, CSV without header or units.
    public const string QueryArguments = "--query-gpu=index,name,memory.total,memory.free --format=csv,noheader,nounits";

    private const long MiB = 1024 * 1024;

    /// Arguments of the utilisation query <see cref="ParseUtilization"/> reads: index, GPU utilisation in %, used
    /// memory in MiB.
    public const string UtilizationArguments = "--query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits";

    /// The GPUs' use of a <see cref="UtilizationArguments"/> output ("0, 87, 10240"), by physical index; a field that
    /// is not a number ("[N/A]") gives null.
    public static IReadOnlyDictionary<int, GpuUse> ParseUtilization(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var use = new Dictionary<int, GpuUse>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                continue;
            use[index] = new GpuUse(Number(fields[1]), Number(fields[2]));
        }
        return use;
    }

    private static double? Number(string field)
        => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    /// The GPUs of a <see cref="QueryArguments"/> output, one per line ("0, NVIDIA A100-SXM4-40GB, 40960, 40314").
    /// Lines that do not have four fields with an integer index are skipped; a memory field that is not a number
    /// ("[N/A]") gives null.
    public static IReadOnlyList<CudaDeviceInfo> Parse(string output)
    {
        var devices = new List<CudaDeviceInfo>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 4 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                continue;
            devices.Add(new CudaDeviceInfo(index, fields[1], Mebibytes(fields[2]), Mebibytes(fields[3])));
        }
        return devices;
    }

    /// The physical GPU index (nvidia-smi's) of CUDA device <paramref name="logicalIndex"/> given the process's
    /// CUDA_VISIBLE_DEVICES: its n-th entry when that is a comma-separated list of indices, else the index itself
    /// (unset, or UUIDs, which this does not resolve).
    public static int PhysicalIndex(int logicalIndex, string? cudaVisibleDevices)
    {
        if (string.IsNullOrWhiteSpace(cudaVisibleDevices))
            return logicalIndex;
        string[] entries = cudaVisibleDevices.Split(',', StringSplitOptions.TrimEntries);
        return logicalIndex < entries.Length
               && int.TryParse(entries[logicalIndex], NumberStyles.None, CultureInfo.InvariantCulture, out int physical)
            ? physical
            : logicalIndex;
    }

    /// Runs nvidia-smi; empty when it is not installed, fails or does not answer within <paramref name="timeout"/>.
    public static async Task<IReadOnlyList<CudaDeviceInfo>> QueryAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => await RunAsync(QueryArguments, timeout, cancellationToken).ConfigureAwait(false) is string output ? Parse(output) : [];

    /// The GPUs' utilisation and used memory by physical index; empty without nvidia-smi.
    public static async Task<IReadOnlyDictionary<int, GpuUse>> QueryUtilizationAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => await RunAsync(UtilizationArguments, timeout, cancellationToken).ConfigureAwait(false) is string output ? ParseUtilization(output) : new Dictionary<int, GpuUse>();

    private static async Task<string?> RunAsync(string arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("no process started");
        }
        catch (Win32Exception)
        {
            return null; // not installed: no NVIDIA driver on this machine
        }
        using (process)
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                Task<string> stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
                string output = await process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
                await process.WaitForExitAsync(timeoutSource.Token);
                await stderr;
                return process.ExitCode == 0 ? output : null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
        }
    }

    private static long? Mebibytes(string field)
        => long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value * MiB : null;
}

/// One GPU's utilisation (%) and used memory (MiB), as nvidia-smi reports them.
public sealed record GpuUse(double? UtilizationPercent, double? MemoryUsedMiB);
