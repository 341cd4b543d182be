using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PhoenixSlt.Training.Distributed;

/// Builds the ring of a <see cref="TcpProcessGroup"/>: every rank listens on an ephemeral port, publishes
/// "world size|address:port" in the store, connects to its successor (rank + 1) and accepts its predecessor
/// (rank − 1). A 32-byte hello (magic, version, rank, world size, session token from rank 0) rejects stray
/// connections and ranks started with another world size.
internal static class RingRendezvous
{
    private const int Magic = 0x47525350; // "PSRG"
    private const int Version = 1;
    private const int HelloSize = 32;
    private const byte Accepted = 1;

    public static async Task<(RingLink Next, RingLink Previous)> ConnectAsync(
        TcpStore store, string name, int rank, int worldSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int next = (rank + 1) % worldSize;
        int previous = (rank - 1 + worldSize) % worldSize;
        var deadlineAt = DateTime.UtcNow + timeout;
        using var listener = new TcpListener(store.LocalAddress, 0);
        listener.Start(worldSize + 8);
        var endpoint = (IPEndPoint)listener.LocalEndpoint;

        Guid session = await SessionAsync(store, name, rank, timeout, Remaining(deadlineAt), cancellationToken).ConfigureAwait(false);
        await store.SetStringAsync(Key(name, $"ring/{rank}"), $"{worldSize}|{endpoint}", cancellationToken).ConfigureAwait(false);
        var nextEndpoint = await PeerEndpointAsync(store, name, next, rank, worldSize, timeout, Remaining(deadlineAt), cancellationToken).ConfigureAwait(false);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Remaining(deadlineAt));
        var accept = AcceptPredecessorAsync(listener, endpoint, session, rank, previous, worldSize, timeout, deadline.Token);
        var connect = ConnectSuccessorAsync(nextEndpoint, session, rank, next, worldSize, timeout, deadline.Token);
        var first = await Task.WhenAny(accept, connect).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully)
            await deadline.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(accept, connect).ConfigureAwait(false);
        }
        catch (Exception)
        {
            if (accept.IsCompletedSuccessfully)
                accept.Result.Dispose();
            if (connect.IsCompletedSuccessfully)
                connect.Result.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw (first.IsFaulted ? first.Exception!.InnerException : null)
                ?? (accept.IsFaulted ? accept.Exception!.InnerException : connect.Exception?.InnerException)
                ?? new DistributedException($"timed out after {Durations.Format(timeout)} building the ring of process group '{name}'", null, "rendezvous");
        }
        return (connect.Result, accept.Result);
    }

    internal static string Key(string name, string suffix) => $"{name}/{suffix}";

    private static TimeSpan Remaining(DateTime deadlineAt)
    {
        var remaining = deadlineAt - DateTime.UtcNow;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1);
    }

    /// Rank 0 creates the session token; the others wait for it.
    private static async Task<Guid> SessionAsync(TcpStore store, string name, int rank, TimeSpan timeout, TimeSpan remaining, CancellationToken cancellationToken)
    {
        string key = Key(name, "session");
        if (rank == 0)
        {
            var session = Guid.NewGuid();
            await store.SetAsync(key, session.ToByteArray(), cancellationToken).ConfigureAwait(false);
            return session;
        }
        try
        {
            return new Guid(await store.GetAsync(key, remaining, cancellationToken).ConfigureAwait(false));
        }
        catch (DistributedException e) when (e.Operation == "get")
        {
            throw new DistributedException(
                $"timed out after {Durations.Format(timeout)} waiting for rank 0 to open process group '{name}'; start rank 0 with the same master address and port",
                0, "rendezvous", e);
        }
    }

    private static async Task<IPEndPoint> PeerEndpointAsync(
        TcpStore store, string name, int peer, int rank, int worldSize, TimeSpan timeout, TimeSpan remaining, CancellationToken cancellationToken)
    {
        string published;
        try
        {
            published = await store.GetStringAsync(Key(name, $"ring/{peer}"), remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedException e) when (e.Operation == "get")
        {
            throw new DistributedException(
                $"timed out after {Durations.Format(timeout)} waiting for rank {peer} to join process group '{name}' (world size {worldSize}); start all {worldSize} workers with the same master address, port and world size",
                peer, "rendezvous", e);
        }
        string[] parts = published.Split('|', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], out int peerWorld) || !IPEndPoint.TryParse(parts[1], out var endpoint))
            throw new DistributedException($"rank {peer} published an unreadable ring address '{published}'", peer, "rendezvous");
        if (peerWorld != worldSize)
            throw new DistributedException(
                $"rank {peer} was started with world size {peerWorld} but rank {rank} with {worldSize}; start every worker with the same world size",
                peer, "rendezvous");
        return endpoint;
    }

    private static async Task<RingLink> AcceptPredecessorAsync(
        TcpListener listener, IPEndPoint endpoint, Guid session, int rank, int previous, int worldSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new DistributedException(
                    $"timed out after {Durations.Format(timeout)} waiting for rank {previous} to connect to rank {rank} at {endpoint}; check that the port is reachable (firewall) from rank {previous}'s machine",
                    previous, "rendezvous");
            }
            socket.NoDelay = true;
            try
            {
                var hello = new byte[HelloSize];
                using (var stream = new NetworkStream(socket, ownsSocket: false))
                {
                    await stream.ReadExactlyAsync(hello, cancellationToken).ConfigureAwait(false);
                    var (ok, peerRank, peerWorld) = ParseHello(hello, session);
                    if (!ok)
                    {
                        socket.Dispose(); // a stray connection (another run, a port scanner): keep waiting
                        continue;
                    }
                    if (peerWorld != worldSize || peerRank != previous)
                        throw new DistributedException(
                            $"rank {peerRank} (world size {peerWorld}) connected to rank {rank} where rank {previous} (world size {worldSize}) was expected; two workers may have the same rank",
                            peerRank, "rendezvous");
                    await stream.WriteAsync(new[] { Accepted }, cancellationToken).ConfigureAwait(false);
                }
                return new RingLink(socket, previous);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                socket.Dispose(); // the connecting side went away mid-hello: wait for its retry
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static async Task<RingLink> ConnectSuccessorAsync(
        IPEndPoint endpoint, Guid session, int rank, int next, int worldSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Exception? last = null;
        var delay = TimeSpan.FromMilliseconds(20);
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                using (var stream = new NetworkStream(socket, ownsSocket: false))
                {
                    await stream.WriteAsync(Hello(session, rank, worldSize), cancellationToken).ConfigureAwait(false);
                    var answer = new byte[1];
                    await stream.ReadExactlyAsync(answer, cancellationToken).ConfigureAwait(false);
                    if (answer[0] != Accepted)
                        throw new IOException("the connection was refused during the hello");
                }
                return new RingLink(socket, next);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                break;
            }
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
        throw new DistributedException(
            $"could not connect rank {rank} to rank {next} at {endpoint} within {Durations.Format(timeout)}"
            + (last is null ? "" : $" ({last.Message})") + "; check that the address is reachable from this machine",
            next, "rendezvous", last);
    }

    private static byte[] Hello(Guid session, int rank, int worldSize)
    {
        var hello = new byte[HelloSize];
        BinaryPrimitives.WriteInt32LittleEndian(hello, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(8), rank);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(12), worldSize);
        session.TryWriteBytes(hello.AsSpan(16));
        return hello;
    }

    private static (bool Ok, int Rank, int WorldSize) ParseHello(ReadOnlySpan<byte> hello, Guid session)
    {
        bool ok = BinaryPrimitives.ReadInt32LittleEndian(hello) == Magic
            && BinaryPrimitives.ReadInt32LittleEndian(hello[4..]) == Version
            && new Guid(hello[16..32]) == session;
        return (ok, BinaryPrimitives.ReadInt32LittleEndian(hello[8..]), BinaryPrimitives.ReadInt32LittleEndian(hello[12..]));
    }
}
