using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace PhoenixSlt.Training.Distributed;

/// Commands of the rendezvous store protocol.
internal enum StoreCommand : byte
{
    Set = 1,
    Get = 2,
    Add = 3,
    Wait = 4,
    Check = 5,
    Delete = 6,
}

/// Status byte that starts every store response.
internal enum StoreStatus : byte
{
    Ok = 0,
    Timeout = 1,
    Error = 2,
}

/// The store's length-prefixed binary framing (little-endian): a frame is [int32 length][byte code][body], where
/// length counts the code and the body; strings are [int32 byte count][UTF-8], byte strings [int32 count][bytes].
internal static class StoreWire
{
    /// Largest frame either side accepts; rendezvous values are small (addresses, ids).
    public const int MaxFrameBytes = 64 << 20;

    public static async Task WriteFrameAsync(Stream stream, byte code, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        byte[] frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, 1 + body.Length);
        frame[4] = code;
        body.Span.CopyTo(frame.AsSpan(5));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// Reads one frame; null when the peer closed the connection cleanly before a new frame.
    public static async Task<(byte Code, byte[] Body)?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] prefix = new byte[4];
        int first = await stream.ReadAsync(prefix.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        if (first == 0)
            return null;
        if (first < 4)
            await stream.ReadExactlyAsync(prefix.AsMemory(first), cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 1 || length > MaxFrameBytes)
            throw new InvalidDataException($"store frame length {length} is outside 1..{MaxFrameBytes}: the peer does not speak the rendezvous protocol");
        byte[] payload = new byte[length];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return (payload[0], payload[1..]);
    }
}

/// Builds a frame body.
internal sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public WireWriter Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public WireWriter Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public WireWriter Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public WireWriter Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        _buffer.Write(value);
        return this;
    }

    public WireWriter String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;
}

/// Reads a frame body; a truncated body is an <see cref="InvalidDataException"/>.
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public bool AtEnd => _rest.IsEmpty;

    public int Int32()
    {
        Need(4);
        int value = BinaryPrimitives.ReadInt32LittleEndian(_rest);
        _rest = _rest[4..];
        return value;
    }

    public long Int64()
    {
        Need(8);
        long value = BinaryPrimitives.ReadInt64LittleEndian(_rest);
        _rest = _rest[8..];
        return value;
    }

    public byte Byte()
    {
        Need(1);
        byte value = _rest[0];
        _rest = _rest[1..];
        return value;
    }

    public byte[] Bytes()
    {
        int length = Int32();
        if (length < 0)
            throw new InvalidDataException($"negative length {length} in a store frame");
        Need(length);
        byte[] value = _rest[..length].ToArray();
        _rest = _rest[length..];
        return value;
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    private readonly void Need(int count)
    {
        if (_rest.Length < count)
            throw new InvalidDataException($"store frame truncated: {count} more bytes expected, {_rest.Length} left");
    }
}
