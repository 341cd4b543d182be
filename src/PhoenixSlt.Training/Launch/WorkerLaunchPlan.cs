using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace PhoenixSlt.Training.Launch;

/// The executable that starts a worker: the running program itself (<c>phoenix-slt</c>), or <c>dotnet</c> plus the
/// entry assembly when the program runs as <c>dotnet phoenix-slt.dll</c>.
public sealed record WorkerExecutable(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// The current process's executable (and entry assembly when the host is <c>dotnet</c>).
    public static WorkerExecutable Current()
    {
        string path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown; start the workers by hand with `phoenix-slt worker`");
        return IsDotnetHost(path)
            ? ForAssembly(path, Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("the entry assembly is unknown"))
            : new WorkerExecutable(path, []);
    }

    /// <c>dotnet ASSEMBLY</c>.
    public static WorkerExecutable ForAssembly(string dotnet, string assemblyPath) => new(dotnet, [assemblyPath]);

    public static bool IsDotnetHost(string path) =>
        string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase);
}

/// Pure pieces of a launch: ports, devices and the environment of each worker.
public static class WorkerLaunchPlan
{
    public const string CudaVisibleDevices = "CUDA_VISIBLE_DEVICES";

    /// A TCP port on the loopback interface that was free a moment ago: rank 0 binds it for the rendezvous, and the
    /// launcher must know it beforehand to tell the other workers.
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// The device of worker <paramref name="rank"/> when the run asked for <paramref name="device"/>: <c>cpu</c>
    /// stays <c>cpu</c>; <c>cuda</c> or <c>cuda:K</c> gives worker r the GPU K + r, made the only visible one
    /// (CUDA_VISIBLE_DEVICES) so that the worker uses <c>cuda:0</c>.
    public static (string Device, int? VisibleGpu) WorkerDevice(string device, int rank)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        string text = device.Trim().ToLowerInvariant();
        if (text == "cuda")
            return ("cuda:0", rank);
        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int first))
            return ("cuda:0", first + rank);
        return (device, null);
    }

    /// Gen0 allocation budget given to workers (256 MiB, hex as the runtime reads it). TorchSharp's
    /// Scalar releases its native value in a finalizer and the temporary Scalar of an expression such as
    /// `t - 1.0` is unreachable while the native op still reads it; a garbage collection in that window
    /// frees it under libtorch's feet ("Expected false to be true" from c10::Scalar::toDouble). Fewer
    /// collections make that window proportionally rarer; it cannot be closed from outside TorchSharp.
    public const string GcGen0SizeVariable = "DOTNET_GCgen0size";
    public const string GcGen0SizeValue = "0x10000000";

    /// Environment variables of a worker on <paramref name="visibleGpu"/>: the GPU it sees (none on the
    /// CPU), the gen0 budget unless the parent already chose one, and with <paramref name="threads"/> the OpenMP
    /// settings of <see cref="ThreadBudget.Environment"/> (thread counts, passive waiting).
    public static IReadOnlyDictionary<string, string> Environment(int? visibleGpu, int? threads = null)
    {
        var variables = threads is int count
            ? new Dictionary<string, string>(ThreadBudget.Environment(count), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        if (visibleGpu is int gpu)
            variables[CudaVisibleDevices] = gpu.ToString(CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(GcGen0SizeVariable)))
            variables[GcGen0SizeVariable] = GcGen0SizeValue;
        return variables;
    }
}
