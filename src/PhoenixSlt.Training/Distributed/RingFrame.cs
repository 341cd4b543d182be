using System.Buffers.Binary;

namespace PhoenixSlt.Training.Distributed;

/// Collectives of the TCP backend, as named in messages.
internal enum CollectiveOp : byte
{
    AllReduce = 1,
    Broadcast = 2,
    AllGather = 3,
    AllGatherBytes = 4,
    BroadcastBytes = 5,
    Barrier = 6,
}

internal enum FrameKind : byte
{
    Data = 1,

    /// The sender's group failed; the payload says why, so that the failure travels around the ring.
    Abort = 2,
}

/// The 24-byte header in front of every message between ring neighbours (little-endian):
/// kind, collective, an operation-specific word (element type and reduction, or broadcast root), the collective's
/// sequence number, an operation-specific tag (element count or total size) and the payload length.
/// Checking it on receipt turns ranks that disagree about a collective into a clear error instead of garbage.
internal readonly record struct RingFrame(FrameKind Kind, CollectiveOp Op, ushort Aux, int Sequence, long Tag, long Length)
{
    public const int Size = 24;

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        destination[1] = (byte)Op;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], Aux);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], Tag);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Length);
    }

    public static RingFrame Read(ReadOnlySpan<byte> source) => new(
        (FrameKind)source[0],
        (CollectiveOp)source[1],
        BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        BinaryPrimitives.ReadInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[16..]));
}

internal static class CollectiveNames
{
    public static string Name(this CollectiveOp op) => op switch
    {
        CollectiveOp.AllReduce => "all_reduce",
        CollectiveOp.Broadcast => "broadcast",
        CollectiveOp.AllGather => "all_gather",
        CollectiveOp.AllGatherBytes => "all_gather_bytes",
        CollectiveOp.BroadcastBytes => "broadcast_bytes",
        CollectiveOp.Barrier => "barrier",
        _ => $"collective {(byte)op}",
    };
}
