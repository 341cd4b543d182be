using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace PhoenixSlt.Training.Distributed;

/// One direction of the ring: the socket this rank sends to its successor on, or receives from its predecessor on.
/// Errors surface as the socket's own exceptions; the collective turns them into messages with context.
internal sealed class RingLink(Socket socket, int peer) : IDisposable
{
    private readonly Socket _socket = socket;
    private const int SmallPayload = 64 * 1024;
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly byte[] _header = new byte[RingFrame.Size];
    private readonly byte[] _small = new byte[RingFrame.Size + SmallPayload];
    private int _disposed;

    /// The rank at the other end.
    public int Peer { get; } = peer;

    /// False once a send did not complete: the stream may hold half a frame, so nothing more can follow.
    public bool AtFrameBoundary { get; private set; } = true;

    public async Task SendAsync(RingFrame frame, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        AtFrameBoundary = false;
        if (payload.Length <= SmallPayload)
        {
            frame.Write(_small);
            payload.Span.CopyTo(_small.AsSpan(RingFrame.Size));
            await _stream.WriteAsync(_small.AsMemory(0, RingFrame.Size + payload.Length), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            frame.Write(_header);
            await _stream.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            await _stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        AtFrameBoundary = true;
    }

    public async Task<RingFrame> ReceiveHeaderAsync(CancellationToken cancellationToken)
    {
        await _stream.ReadExactlyAsync(_header, cancellationToken).ConfigureAwait(false);
        return RingFrame.Read(_header);
    }

    public Task ReceivePayloadAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        _stream.ReadExactlyAsync(destination, cancellationToken).AsTask();

    /// Best effort: tells the successor why this rank's group failed. Payload: failed rank (−1 when unknown),
    /// detecting rank, UTF-8 message.
    public void TrySendAbort(CollectiveOp op, int sequence, int? failedRank, int detectedBy, string message, TimeSpan bound)
    {
        if (!AtFrameBoundary || Volatile.Read(ref _disposed) == 1)
            return;
        byte[] text = Encoding.UTF8.GetBytes(message);
        byte[] payload = new byte[8 + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, failedRank ?? -1);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), detectedBy);
        text.CopyTo(payload, 8);
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            SendAsync(new RingFrame(FrameKind.Abort, op, 0, sequence, 0, payload.Length), payload, timeout.Token).Wait(timeout.Token);
        }
        catch (Exception e) when (e is AggregateException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // the successor is gone or not reading; it will find out from its own timeout
        }
    }

    public static (int? FailedRank, int DetectedBy, string Message) ParseAbort(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
            return (null, -1, "a peer aborted without saying why");
        int failed = BinaryPrimitives.ReadInt32LittleEndian(payload);
        int detectedBy = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        return (failed < 0 ? null : failed, detectedBy, Encoding.UTF8.GetString(payload[8..]));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed by the peer
        }
        _stream.Dispose();
    }
}
