using System.Net.Sockets;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Distributed;

/// One collective call of a <see cref="TcpProcessGroup"/>: sends to the successor and receives from the predecessor
/// under one deadline, checks every header, and turns socket errors, cancellation and timeouts into
/// <see cref="DistributedException"/>s that name the peer, the collective and the ring step.
internal sealed class RingCollective(TcpProcessGroup group, CollectiveOp op, int sequence, CancellationTokenSource deadline, CancellationToken callerToken)
{
    private const int MaxAbortPayload = 1 << 20;
    private static readonly TimeSpan AbortGrace = TimeSpan.FromMilliseconds(200);

    public CollectiveOp Op { get; } = op;

    public int Sequence { get; } = sequence;

    public string Name => Op.Name();

    /// Current ring step (1-based) and the number of steps, for messages; 0 steps when not stepping.
    public int Step { get; set; }

    public int Steps { get; set; }

    private int Rank => group.Rank;

    private string Where => Steps > 0 ? $"collective #{Sequence}, ring step {Step}/{Steps}" : $"collective #{Sequence}";

    public async Task SendAsync(ushort aux, long tag, ReadOnlyMemory<byte> payload)
    {
        var link = group.NextLink;
        try
        {
            await link.SendAsync(new RingFrame(FrameKind.Data, Op, aux, Sequence, tag, payload.Length), payload, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            throw Lost(link.Peer, e);
        }
    }

    /// Receives a payload of exactly <paramref name="destination"/>'s length.
    public async Task ReceiveExactAsync(ushort aux, long tag, Memory<byte> destination)
    {
        var frame = await ReceiveHeaderAsync(aux, tag).ConfigureAwait(false);
        if (frame.Length != destination.Length)
            throw new DistributedException(
                $"rank {group.PrevLink.Peer} sent {frame.Length} bytes in {Name} ({Where}) where rank {Rank} expected {destination.Length}: every rank must pass tensors of the same shape and type",
                group.PrevLink.Peer, Name);
        await ReceivePayloadAsync(destination).ConfigureAwait(false);
    }

    /// Receives a payload of whatever length the sender announced.
    public async Task<byte[]> ReceiveVariableAsync(ushort aux, long tag)
    {
        var frame = await ReceiveHeaderAsync(aux, tag).ConfigureAwait(false);
        if (frame.Length < 0 || frame.Length > Array.MaxLength)
            throw new DistributedException($"rank {group.PrevLink.Peer} announced {frame.Length} bytes in {Name} ({Where}), which cannot be received", group.PrevLink.Peer, Name);
        byte[] payload = new byte[frame.Length];
        await ReceivePayloadAsync(payload).ConfigureAwait(false);
        return payload;
    }

    /// Waits for a send and a receive that run concurrently. When one fails the other is cancelled at once (so a
    /// dead successor is reported without waiting for the predecessor's timeout); the first failure wins.
    public async Task BothAsync(Task send, Task receive)
    {
        var first = await Task.WhenAny(send, receive).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully)
        {
            // a failed send often means the peer already told us why (an abort frame on the receiving side): look briefly
            if (first == send && !receive.IsCompleted)
                await Task.WhenAny(receive, Task.Delay(AbortGrace, CancellationToken.None)).ConfigureAwait(false);
            await deadline.CancelAsync().ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(send, receive).ConfigureAwait(false);
            return;
        }
        catch (Exception)
        {
            // both tasks are complete now; their outcomes are inspected below
        }
        var second = first == send ? receive : send;
        Exception? failure = Fault(first) ?? Fault(second);
        if (Fault(second) is PeerAbortException forwarded)
            failure = forwarded; // it carries the original cause
        if (failure is not null)
            throw failure;
        throw await CancellationFailureAsync(waitingOnPredecessor: receive.IsCanceled).ConfigureAwait(false);
    }

    private static Exception? Fault(Task task) => task.IsFaulted ? task.Exception!.InnerException : null;

    private async Task<Exception> CancellationFailureAsync(bool waitingOnPredecessor)
    {
        if (callerToken.IsCancellationRequested)
            return new OperationCanceledException($"rank {Rank} cancelled {Name} ({Where})", callerToken);
        if (group.IsDisposed)
            return Disposed();
        int peer = waitingOnPredecessor ? group.PrevLink.Peer : group.NextLink.Peer;
        return await group.DescribeTimeoutAsync(this, peer, Where).ConfigureAwait(false);
    }

    private async Task<RingFrame> ReceiveHeaderAsync(ushort aux, long tag)
    {
        var link = group.PrevLink;
        RingFrame frame;
        try
        {
            frame = await link.ReceiveHeaderAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            throw Lost(link.Peer, e);
        }
        if (frame.Kind == FrameKind.Abort)
            throw await ReceiveAbortAsync(frame).ConfigureAwait(false);
        if (frame.Kind != FrameKind.Data)
            throw new DistributedException($"rank {link.Peer} sent an unknown message kind {(byte)frame.Kind} in {Name} ({Where}); are both ranks running the same version?", link.Peer, Name);
        if (frame.Op != Op || frame.Sequence != Sequence)
            throw new DistributedException(
                $"rank {link.Peer} is in {frame.Op.Name()} (collective #{frame.Sequence}) while rank {Rank} is in {Name} (collective #{Sequence}): every rank must call the same collectives in the same order",
                link.Peer, Name);
        if (frame.Aux != aux || frame.Tag != tag)
            throw new DistributedException(RingMismatch.Describe(Op, link.Peer, frame.Aux, frame.Tag, Rank, aux, tag), link.Peer, Name);
        return frame;
    }

    private async Task ReceivePayloadAsync(Memory<byte> destination)
    {
        var link = group.PrevLink;
        try
        {
            await link.ReceivePayloadAsync(destination, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            throw Lost(link.Peer, e);
        }
    }

    private async Task<Exception> ReceiveAbortAsync(RingFrame frame)
    {
        var link = group.PrevLink;
        if (frame.Length is < 0 or > MaxAbortPayload)
            return new DistributedException($"rank {link.Peer} aborted {Name} ({Where})", link.Peer, Name);
        byte[] payload = new byte[frame.Length];
        try
        {
            await link.ReceivePayloadAsync(payload, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionError(e) || e is OperationCanceledException)
        {
            return new DistributedException($"rank {link.Peer} aborted {Name} ({Where})", link.Peer, Name, e);
        }
        var (failedRank, detectedBy, message) = RingLink.ParseAbort(payload);
        return new PeerAbortException(message, failedRank, detectedBy, Name);
    }

    private Exception Lost(int peer, Exception error)
    {
        if (group.IsDisposed)
            return Disposed();
        return new DistributedException($"rank {peer} disconnected during {Name} ({Where}): {Reason(error)}", peer, Name, error);
    }

    private DistributedException Disposed() =>
        new($"the process group of rank {Rank} was disposed during {Name} ({Where})", Rank, Name);

    private static bool IsConnectionError(Exception e) => e is IOException or SocketException or ObjectDisposedException;

    private static string Reason(Exception error) => error switch
    {
        EndOfStreamException => "connection closed",
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => "connection reset",
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } } => "connection reset",
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.Shutdown or SocketError.ConnectionAborted } } => "connection closed",
        ObjectDisposedException => "connection closed",
        _ => error.Message,
    };
}

/// A failure another rank detected and passed along the ring.
internal sealed class PeerAbortException(string rootMessage, int? failedRank, int detectedBy, string operation)
    : DistributedException(detectedBy >= 0 ? $"{rootMessage} (detected by rank {detectedBy})" : rootMessage, failedRank, operation)
{
    public string RootMessage { get; } = rootMessage;

    public int DetectedBy { get; } = detectedBy;
}

/// Messages for ranks that disagree about a collective's arguments.
internal static class RingMismatch
{
    public static string Describe(CollectiveOp op, int peer, ushort peerAux, long peerTag, int rank, ushort aux, long tag)
    {
        switch (op)
        {
            case CollectiveOp.AllReduce when peerAux != aux:
                return $"rank {peer} passed {AllReduceArgs(peerAux)} to all_reduce where rank {rank} passed {AllReduceArgs(aux)}: every rank must use the same tensor type and reduction";
            case CollectiveOp.AllReduce:
                return $"rank {peer} passed {peerTag} elements to all_reduce where rank {rank} passed {tag}: every rank must pass a tensor of the same shape";
            case CollectiveOp.Broadcast or CollectiveOp.BroadcastBytes when peerAux != aux:
                return $"rank {peer} broadcasts from root {peerAux} where rank {rank} uses root {aux}: every rank must name the same root";
            case CollectiveOp.Broadcast:
                return $"rank {peer} broadcasts {peerTag} bytes where rank {rank} expects {tag}: every rank must pass a tensor of the same shape and type";
            default:
                return $"rank {peer} sent {op.Name()} arguments ({peerAux}, {peerTag}) that differ from rank {rank}'s ({aux}, {tag}); "
                    + "check that every rank runs the same world size and program";
        }
    }

    public static ushort AllReduceAux(ScalarType wire, ReduceOp op) => (ushort)(((int)wire << 8) | (int)op);

    private static string AllReduceArgs(ushort aux) => $"{(ScalarType)(aux >> 8)} ({(ReduceOp)(aux & 0xFF)})";
}
