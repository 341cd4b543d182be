using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// Chooses and builds the process group for a worker: tcp on the CPU, nccl on CUDA (<c>auto</c>), a
/// <see cref="SingleProcessGroup"/> when the world size is 1.
public static class ProcessGroupFactory
{
    /// <c>auto</c> becomes nccl for CUDA devices and tcp otherwise; explicit choices are kept.
    public static DistributedBackend ResolveBackend(DistributedBackend backend, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return backend == DistributedBackend.Auto
            ? device.type == DeviceType.CUDA ? DistributedBackend.Nccl : DistributedBackend.Tcp
            : backend;
    }

    /// Joins the run described by <paramref name="options"/>: rank 0 hosts the rendezvous store, the others
    /// connect to it, then the group is built. An NCCL group that cannot run on this machine fails at once, before
    /// any waiting on other ranks. The returned group owns the store.
    public static async Task<IProcessGroup> InitializeAsync(DistributedOptions options, Device device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        options.Validate();
        var backend = ResolveBackend(options.Backend, device);
        if (options.WorldSize == 1)
            return new SingleProcessGroup(device, options.Timeout, backend);
        if (backend == DistributedBackend.Nccl)
            NcclProcessGroup.EnsureUsable(device);
        var store = await TcpStore.CreateAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(options, device, store, ownsStore: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// Builds the group of <paramref name="options"/>' rank and world size over an existing store (which the group
    /// disposes when <paramref name="ownsStore"/>).
    public static async Task<IProcessGroup> CreateAsync(
        DistributedOptions options, Device device, TcpStore store, bool ownsStore = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(store);
        options.Validate();
        var backend = ResolveBackend(options.Backend, device);
        if (options.WorldSize == 1)
        {
            if (ownsStore)
                await store.DisposeAsync().ConfigureAwait(false);
            return new SingleProcessGroup(device, options.Timeout, backend);
        }
        return backend switch
        {
            DistributedBackend.Tcp => await TcpProcessGroup.CreateAsync(
                store, options.Rank, options.WorldSize, options.Timeout, TcpProcessGroup.DefaultName, ownsStore, cancellationToken).ConfigureAwait(false),
            DistributedBackend.Nccl => await NcclProcessGroup.CreateAsync(
                store, device, options.Rank, options.WorldSize, options.Timeout, NcclProcessGroup.DefaultName, ownsStore, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(options), backend, "unknown backend"),
        };
    }
}
