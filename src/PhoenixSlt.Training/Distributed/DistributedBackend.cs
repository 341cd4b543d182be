namespace PhoenixSlt.Training.Distributed;

/// Communication backend of a process group.
public enum DistributedBackend
{
    /// NCCL for CUDA devices, TCP for the CPU.
    Auto,

    /// Ring collectives over TCP sockets on CPU tensors (tensors on other devices go through host memory).
    Tcp,

    /// NVIDIA NCCL on CUDA tensors (libnccl.so.2).
    Nccl,
}

public static class DistributedBackendNames
{
    /// The command-line spelling: auto, tcp, nccl.
    public static string ToName(this DistributedBackend backend) => backend switch
    {
        DistributedBackend.Auto => "auto",
        DistributedBackend.Tcp => "tcp",
        DistributedBackend.Nccl => "nccl",
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "unknown backend"),
    };

    /// Parses auto|tcp|nccl (case-insensitive); <paramref name="source"/> names where the text came from.
    public static DistributedBackend Parse(string text, string source = "--backend")
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => DistributedBackend.Auto,
            "tcp" => DistributedBackend.Tcp,
            "nccl" => DistributedBackend.Nccl,
            _ => throw new DistributedException($"{source}: unknown backend '{text}'; use auto, tcp (CPU) or nccl (CUDA)"),
        };
    }
}
