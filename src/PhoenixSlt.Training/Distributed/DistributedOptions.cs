using System.Globalization;

namespace PhoenixSlt.Training.Distributed;

/// Where and how this process joins a distributed run. Rank 0 hosts the rendezvous store on
/// <see cref="MasterAddress"/>:<see cref="MasterPort"/> (port 0 lets rank 0 pick a free port, which it then
/// publishes through <see cref="TcpStore.Port"/>); every other rank connects to it.
/// <see cref="Timeout"/> bounds each collective and each rendezvous wait.
public sealed record DistributedOptions(
    string MasterAddress,
    int MasterPort,
    int Rank,
    int WorldSize,
    DistributedBackend Backend,
    TimeSpan Timeout)
{
    public const string DefaultMasterAddress = "127.0.0.1";

    /// torch.distributed's default port.
    public const int DefaultMasterPort = 29500;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// Longest timeout a cancellation timer accepts (about 24 days).
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// A single process on this machine: rank 0 of 1, automatic backend, 60 s timeout.
    public static DistributedOptions Default { get; } =
        new(DefaultMasterAddress, DefaultMasterPort, 0, 1, DistributedBackend.Auto, DefaultTimeout);

    public bool IsDistributed => WorldSize > 1;

    /// Options with the values set in the environment (see <see cref="DistributedEnvironment"/>) replacing these.
    /// <paramref name="read"/> reads a variable (default: the process environment).
    public DistributedOptions WithEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var options = this;
        if (Value(read, DistributedEnvironment.MasterAddress) is { } address)
            options = options with { MasterAddress = address };
        if (Value(read, DistributedEnvironment.MasterPort) is { } port)
            options = options with { MasterPort = ParseInt(DistributedEnvironment.MasterPort, port, "a TCP port (0..65535)") };
        if (Value(read, DistributedEnvironment.Rank) is { } rank)
            options = options with { Rank = ParseInt(DistributedEnvironment.Rank, rank, "this worker's rank (0..world size - 1)") };
        if (Value(read, DistributedEnvironment.WorldSize) is { } world)
            options = options with { WorldSize = ParseInt(DistributedEnvironment.WorldSize, world, "the number of workers (1 or more)") };
        if (Value(read, DistributedEnvironment.Backend) is { } backend)
            options = options with { Backend = DistributedBackendNames.Parse(backend, DistributedEnvironment.Backend) };
        if (Value(read, DistributedEnvironment.TimeoutSeconds) is { } timeout)
            options = options with { Timeout = ParseSeconds(DistributedEnvironment.TimeoutSeconds, timeout) };
        return options;
    }

    /// <see cref="Default"/> overridden by the environment.
    public static DistributedOptions FromEnvironment(Func<string, string?>? read = null) => Default.WithEnvironment(read);

    /// Throws a <see cref="DistributedException"/> naming the first inconsistent setting.
    public DistributedOptions Validate()
    {
        if (WorldSize < 1)
            throw new DistributedException($"world size is {WorldSize}; it must be 1 or more");
        if (Rank < 0 || Rank >= WorldSize)
            throw new DistributedException($"rank {Rank} is outside 0..{WorldSize - 1} for world size {WorldSize}; give each worker a distinct rank below the world size");
        if (MasterPort is < 0 or > 65535)
            throw new DistributedException($"master port {MasterPort} is not a TCP port (0..65535)");
        if (WorldSize > 1 && MasterPort == 0 && Rank != 0)
            throw new DistributedException($"rank {Rank} needs the master port; port 0 only works for rank 0, which picks a free port and publishes it");
        if (WorldSize > 1 && string.IsNullOrWhiteSpace(MasterAddress))
            throw new DistributedException("the master address is empty; set it to the host name or IP address of rank 0");
        if (Timeout <= TimeSpan.Zero || Timeout > MaxTimeout)
            throw new DistributedException($"timeout {Durations.Format(Timeout)} must be positive and at most {Durations.Format(MaxTimeout)}");
        return this;
    }

    private static string? Value(Func<string, string?> read, string name) =>
        read(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int ParseInt(string name, string text, string meaning) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new DistributedException($"{name}='{text}' is not an integer; set it to {meaning}");

    private static TimeSpan ParseSeconds(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new DistributedException($"{name}='{text}' is not a positive number of seconds");
}

/// The environment variables a worker reads its distributed settings from (multi-node runs set them by hand;
/// the launcher sets them for the workers it spawns).
public static class DistributedEnvironment
{
    public const string MasterAddress = "PHOENIX_MASTER_ADDR";
    public const string MasterPort = "PHOENIX_MASTER_PORT";
    public const string Rank = "PHOENIX_RANK";
    public const string WorldSize = "PHOENIX_WORLD_SIZE";
    public const string Backend = "PHOENIX_BACKEND";
    public const string TimeoutSeconds = "PHOENIX_DIST_TIMEOUT";
}
