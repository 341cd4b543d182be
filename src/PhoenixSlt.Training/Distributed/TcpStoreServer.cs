using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PhoenixSlt.Training.Distributed;

/// The server side of the rendezvous store (torch.distributed.TCPStore's role): an in-memory key/value map served
/// over TCP. Each connection is served in order, one request at a time; a blocking get/wait parks only its own
/// connection. Hosted by rank 0 (<see cref="TcpStore.HostAsync"/>), or by a launcher.
public sealed class TcpStoreServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly List<KeyWaiter> _waiters = [];
    private readonly ConcurrentDictionary<TcpClient, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _disposed;

    private TcpStoreServer(TcpListener listener)
    {
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndpoint;
        _acceptLoop = AcceptLoopAsync();
    }

    /// The address and port the server listens on (the real port when 0 was asked for).
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// Starts listening on <paramref name="address"/>:<paramref name="port"/> (0 picks a free port).
    public static TcpStoreServer Start(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start(backlog: 128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new DistributedException(
                $"cannot host the rendezvous store on {address}:{port}: {e.Message}; choose another master port or stop the process using it",
                null, "listen", e);
        }
        return new TcpStoreServer(listener);
    }

    /// Number of keys currently stored.
    public int Count
    {
        get
        {
            lock (_gate)
                return _values.Count;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _connections.Keys)
            client.Dispose();
        lock (_gate)
        {
            foreach (var waiter in _waiters)
                waiter.Completion.TrySetCanceled();
            _waiters.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
            await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            client.NoDelay = true;
            _connections[client] = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        await Task.Yield();
        try
        {
            var stream = client.GetStream();
            while (!_stop.IsCancellationRequested)
            {
                var frame = await StoreWire.ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false);
                if (frame is null)
                    return;
                var (status, body) = await HandleAsync((StoreCommand)frame.Value.Code, frame.Value.Body).ConfigureAwait(false);
                await StoreWire.WriteFrameAsync(stream, (byte)status, body, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
            // the client went away or spoke garbage: drop this connection only
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task<(StoreStatus Status, ReadOnlyMemory<byte> Body)> HandleAsync(StoreCommand command, byte[] body)
    {
        try
        {
            var reader = new WireReader(body);
            switch (command)
            {
                case StoreCommand.Set:
                {
                    string key = reader.String();
                    byte[] value = reader.Bytes();
                    Store(key, value);
                    return (StoreStatus.Ok, ReadOnlyMemory<byte>.Empty);
                }
                case StoreCommand.Get:
                {
                    string key = reader.String();
                    var timeout = ReadTimeout(ref reader);
                    if (!await WaitForKeysAsync([key], timeout).ConfigureAwait(false))
                        return (StoreStatus.Timeout, ReadOnlyMemory<byte>.Empty);
                    lock (_gate)
                        return (StoreStatus.Ok, new WireWriter().Bytes(_values[key]).Written);
                }
                case StoreCommand.Add:
                {
                    string key = reader.String();
                    long delta = reader.Int64();
                    long total = Add(key, delta);
                    return (StoreStatus.Ok, new WireWriter().Int64(total).Written);
                }
                case StoreCommand.Wait:
                {
                    string[] keys = ReadKeys(ref reader);
                    var timeout = ReadTimeout(ref reader);
                    bool present = await WaitForKeysAsync(keys, timeout).ConfigureAwait(false);
                    return (present ? StoreStatus.Ok : StoreStatus.Timeout, ReadOnlyMemory<byte>.Empty);
                }
                case StoreCommand.Check:
                {
                    string[] keys = ReadKeys(ref reader);
                    bool present;
                    lock (_gate)
                        present = keys.All(_values.ContainsKey);
                    return (StoreStatus.Ok, new WireWriter().Byte(present ? (byte)1 : (byte)0).Written);
                }
                case StoreCommand.Delete:
                {
                    string key = reader.String();
                    bool removed;
                    lock (_gate)
                        removed = _values.Remove(key);
                    return (StoreStatus.Ok, new WireWriter().Byte(removed ? (byte)1 : (byte)0).Written);
                }
                default:
                    return Error($"unknown store command {(byte)command}");
            }
        }
        catch (InvalidDataException e)
        {
            return Error(e.Message);
        }
        catch (StoreValueException e)
        {
            return Error(e.Message);
        }
    }

    private static (StoreStatus, ReadOnlyMemory<byte>) Error(string message) =>
        (StoreStatus.Error, new WireWriter().String(message).Written);

    /// Milliseconds on the wire, clamped to what Task.WaitAsync accepts (about 49 days).
    private static TimeSpan ReadTimeout(ref WireReader reader) =>
        TimeSpan.FromMilliseconds(Math.Clamp(reader.Int64(), 0, uint.MaxValue - 1L));

    private static string[] ReadKeys(ref WireReader reader)
    {
        int count = reader.Int32();
        if (count is < 0 or > 1_000_000)
            throw new InvalidDataException($"key count {count} is out of range");
        var keys = new string[count];
        for (int i = 0; i < count; i++)
            keys[i] = reader.String();
        return keys;
    }

    private void Store(string key, byte[] value)
    {
        List<KeyWaiter> ready;
        lock (_gate)
        {
            _values[key] = value;
            ready = TakeSatisfiedWaiters();
        }
        foreach (var waiter in ready)
            waiter.Completion.TrySetResult(true);
    }

    private long Add(string key, long delta)
    {
        List<KeyWaiter> ready;
        long total;
        lock (_gate)
        {
            long current = 0;
            if (_values.TryGetValue(key, out byte[]? existing)
                && !long.TryParse(Encoding.ASCII.GetString(existing), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out current))
                throw new StoreValueException($"key '{key}' holds a value that is not a counter; add works on keys written only by add");
            total = checked(current + delta);
            _values[key] = Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture));
            ready = TakeSatisfiedWaiters();
        }
        foreach (var waiter in ready)
            waiter.Completion.TrySetResult(true);
        return total;
    }

    private List<KeyWaiter> TakeSatisfiedWaiters()
    {
        var ready = _waiters.Where(w => w.Keys.All(_values.ContainsKey)).ToList();
        foreach (var waiter in ready)
            _waiters.Remove(waiter);
        return ready;
    }

    /// True once every key exists; false when <paramref name="timeout"/> passes first.
    private async Task<bool> WaitForKeysAsync(string[] keys, TimeSpan timeout)
    {
        KeyWaiter waiter;
        lock (_gate)
        {
            if (keys.All(_values.ContainsKey))
                return true;
            waiter = new KeyWaiter(keys);
            _waiters.Add(waiter);
        }
        try
        {
            await waiter.Completion.Task.WaitAsync(timeout, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            lock (_gate)
                _waiters.Remove(waiter);
            return waiter.Completion.Task.IsCompletedSuccessfully;
        }
    }

    private sealed class KeyWaiter(string[] keys)
    {
        public string[] Keys { get; } = keys;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class StoreValueException(string message) : Exception(message);
}
