using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PhoenixSlt.Training.Distributed;

/// Rendezvous key/value store shared by the ranks of a run (the role of torch.distributed.TCPStore): rank 0 hosts
/// a <see cref="TcpStoreServer"/> and every rank talks to it through a client connection. Ranks exchange their ring
/// addresses and the NCCL unique id through it, and count arrivals with <see cref="AddAsync"/>.
/// One request is in flight per client at a time; a connection that fails or is cancelled mid-request is dropped
/// and the next request reconnects.
public sealed class TcpStore : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan ResponseMargin = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TcpStoreServer? _server;
    private TcpClient? _client;
    private int _disposed;

    private TcpStore(string host, int port, TimeSpan timeout, TcpStoreServer? server)
    {
        Host = host;
        Port = port;
        Timeout = timeout;
        _server = server;
    }

    /// Host name or address of the store.
    public string Host { get; }

    /// The store's port: the one rank 0 picked when it was asked for port 0.
    public int Port { get; }

    /// Bound for connecting and the default bound for blocking reads.
    public TimeSpan Timeout { get; }

    /// True in the process that hosts the server (rank 0).
    public bool IsHost => _server is not null;

    /// The local address of the connection to the store: the interface other ranks can reach this one on.
    public IPAddress LocalAddress { get; private set; } = IPAddress.Loopback;

    /// Rank 0 in <paramref name="options"/> hosts the store and connects to it; other ranks connect.
    public static Task<TcpStore> CreateAsync(DistributedOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Rank == 0
            ? HostAsync(options.MasterAddress, options.MasterPort, options.Timeout, cancellationToken)
            : ConnectAsync(options.MasterAddress, options.MasterPort, options.Timeout, cancellationToken);
    }

    /// Starts a server on <paramref name="host"/>:<paramref name="port"/> (port 0 picks a free one, see
    /// <see cref="Port"/>) and connects to it. A loopback host binds loopback only; any other host binds all
    /// interfaces so that other machines can reach it.
    public static async Task<TcpStore> HostAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        IPAddress bind = await BindAddressAsync(host, cancellationToken).ConfigureAwait(false);
        var server = TcpStoreServer.Start(bind, port);
        var store = new TcpStore(host, server.Port, timeout, server);
        try
        {
            await store.ConnectLockedAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// Connects to a store hosted elsewhere, retrying until <paramref name="timeout"/> (rank 0 may start later).
    public static async Task<TcpStore> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var store = new TcpStore(host, port, timeout, null);
        try
        {
            await store.ConnectLockedAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = new WireWriter().String(key).Bytes(value.Span).Written;
        return RequestAsync(StoreCommand.Set, "set", key, body, TimeSpan.Zero, cancellationToken);
    }

    public Task SetStringAsync(string key, string value, CancellationToken cancellationToken = default) =>
        SetAsync(key, Encoding.UTF8.GetBytes(value), cancellationToken);

    /// The value of <paramref name="key"/>, waiting until some rank sets it; a <see cref="DistributedException"/>
    /// after <paramref name="timeout"/> (default <see cref="Timeout"/>).
    public async Task<byte[]> GetAsync(string key, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var wait = timeout ?? Timeout;
        var body = new WireWriter().String(key).Int64(Milliseconds(wait)).Written;
        var (status, response) = await RequestAsync(StoreCommand.Get, "get", key, body, wait, cancellationToken).ConfigureAwait(false);
        if (status == StoreStatus.Timeout)
            throw new DistributedException($"timed out after {Durations.Format(wait)} waiting for key '{key}' in the rendezvous store at {Host}:{Port}", null, "get");
        return new WireReader(response).Bytes();
    }

    public async Task<string> GetStringAsync(string key, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await GetAsync(key, timeout, cancellationToken).ConfigureAwait(false));

    /// Atomically adds <paramref name="delta"/> to the counter at <paramref name="key"/> (missing counts as 0) and
    /// returns the new value; <c>AddAsync(key, 0)</c> reads it.
    public async Task<long> AddAsync(string key, long delta, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = new WireWriter().String(key).Int64(delta).Written;
        var (_, response) = await RequestAsync(StoreCommand.Add, "add", key, body, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return new WireReader(response).Int64();
    }

    /// Waits until every key exists; a <see cref="DistributedException"/> naming the missing keys after the timeout.
    public async Task WaitAsync(IReadOnlyList<string> keys, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wait = timeout ?? Timeout;
        var writer = new WireWriter().Int32(keys.Count);
        foreach (string key in keys)
            writer.String(key);
        writer.Int64(Milliseconds(wait));
        string shown = string.Join(", ", keys.Select(k => $"'{k}'"));
        var (status, _) = await RequestAsync(StoreCommand.Wait, "wait", shown, writer.Written, wait, cancellationToken).ConfigureAwait(false);
        if (status == StoreStatus.Timeout)
        {
            var missing = new List<string>();
            foreach (string key in keys)
                if (!await CheckAsync([key], cancellationToken).ConfigureAwait(false))
                    missing.Add($"'{key}'");
            throw new DistributedException(
                $"timed out after {Durations.Format(wait)} waiting for {string.Join(", ", missing)} in the rendezvous store at {Host}:{Port}", null, "wait");
        }
    }

    /// True when every key exists (no waiting).
    public async Task<bool> CheckAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var writer = new WireWriter().Int32(keys.Count);
        foreach (string key in keys)
            writer.String(key);
        var (_, response) = await RequestAsync(StoreCommand.Check, "check", string.Join(", ", keys), writer.Written, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return new WireReader(response).Byte() == 1;
    }

    /// Removes a key; true when it existed.
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = new WireWriter().String(key).Written;
        var (_, response) = await RequestAsync(StoreCommand.Delete, "delete", key, body, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return new WireReader(response).Byte() == 1;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        Interlocked.Exchange(ref _client, null)?.Dispose();
        _server?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (_server is not null)
            await _server.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<(StoreStatus Status, byte[] Body)> RequestAsync(
        StoreCommand command, string operation, string key, ReadOnlyMemory<byte> body, TimeSpan serverWait, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is null)
                await ConnectLockedAsync(cancellationToken).ConfigureAwait(false);
            var client = _client!;
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(Clamp(serverWait + Timeout + ResponseMargin));
            try
            {
                var stream = client.GetStream();
                await StoreWire.WriteFrameAsync(stream, (byte)command, body, bound.Token).ConfigureAwait(false);
                var frame = await StoreWire.ReadFrameAsync(stream, bound.Token).ConfigureAwait(false)
                    ?? throw new EndOfStreamException("the store closed the connection");
                var status = (StoreStatus)frame.Code;
                if (status == StoreStatus.Error)
                    throw new DistributedException($"rendezvous store rejected {operation}('{key}'): {new WireReader(frame.Body).String()}", null, operation);
                return (status, frame.Body);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidDataException)
            {
                DropConnection();
                throw new DistributedException(
                    $"lost the connection to the rendezvous store at {Host}:{Port} during {operation}('{key}'): {e.Message}; rank 0 hosts the store, check that it is still running",
                    0, operation, e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                DropConnection();
                throw new DistributedException(
                    $"the rendezvous store at {Host}:{Port} did not answer {operation}('{key}') within {Durations.Format(serverWait + Timeout + ResponseMargin)}",
                    0, operation);
            }
            catch (OperationCanceledException)
            {
                DropConnection(); // the response may still arrive: this connection is out of step
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void DropConnection() => Interlocked.Exchange(ref _client, null)?.Dispose();

    /// Connects (the caller holds the gate or owns the store exclusively), retrying refused and unreachable
    /// attempts until <see cref="Timeout"/>.
    private async Task ConnectLockedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                break;
            var client = new TcpClient { NoDelay = true };
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(remaining < TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5));
            try
            {
                await client.ConnectAsync(Host, Port, attempt.Token).ConfigureAwait(false);
                var local = ((IPEndPoint)client.Client.LocalEndPoint!).Address;
                LocalAddress = local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local; // dual-mode sockets report ::ffff:a.b.c.d
                _client = client;
                return;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                client.Dispose();
                last = e;
            }
            catch
            {
                client.Dispose();
                throw;
            }
            var pause = deadline - DateTime.UtcNow;
            if (pause <= TimeSpan.Zero)
                break;
            await Task.Delay(pause < delay ? pause : delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
        throw new DistributedException(
            $"could not connect to the rendezvous store at {Host}:{Port} within {Durations.Format(Timeout)}"
            + (last is null ? "" : $" ({last.Message})")
            + $"; rank 0 hosts it: check that rank 0 is running and that {DistributedEnvironment.MasterAddress}/{DistributedEnvironment.MasterPort} point to it",
            0, "connect", last);
    }

    private static async Task<IPAddress> BindAddressAsync(string host, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(host, out var address))
        {
            IPAddress[] candidates;
            try
            {
                candidates = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new DistributedException($"master address '{host}' does not resolve: {e.Message}", null, "listen", e);
            }
            address = candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? candidates.FirstOrDefault()
                ?? throw new DistributedException($"master address '{host}' resolves to no address", null, "listen");
        }
        if (IPAddress.IsLoopback(address))
            return address;
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
    }

    private static long Milliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (long)Math.Min(timeout.TotalMilliseconds, uint.MaxValue - 1L);

    private static TimeSpan Clamp(TimeSpan bound) =>
        bound.TotalMilliseconds > uint.MaxValue - 1L ? TimeSpan.FromMilliseconds(uint.MaxValue - 1L) : bound;
}
