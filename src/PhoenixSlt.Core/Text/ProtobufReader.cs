using System.Buffers.Binary;
using System.Text;

namespace PhoenixSlt.Core.Text;

/// Minimal reader of the protocol-buffers wire format (varint, fixed32, fixed64, length-delimited),
/// enough to read the few SentencePiece ModelProto fields the tokenizer needs.
/// Throws <see cref="InvalidDataException"/> on truncated or malformed input.
internal ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// Reads the next field key; returns false at the end of the message.
    public bool TryReadTag(out int fieldNumber, out int wireType)
    {
        fieldNumber = 0;
        wireType = 0;
        if (AtEnd)
            return false;
        ulong key = ReadVarint();
        fieldNumber = checked((int)(key >> 3));
        wireType = (int)(key & 7);
        if (fieldNumber == 0)
            throw new InvalidDataException($"protobuf field number 0 at byte {_position}");
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (AtEnd)
                throw new InvalidDataException("protobuf varint runs past the end of the data");
            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        throw new InvalidDataException($"protobuf varint longer than 10 bytes at byte {_position}");
    }

    public bool ReadBool() => ReadVarint() != 0;

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw new InvalidDataException($"protobuf length {length} at byte {_position} runs past the end of the data");
        return Take((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireVarint: ReadVarint(); break;
            case WireFixed64: Take(8); break;
            case WireLengthDelimited: ReadBytes(); break;
            case WireFixed32: Take(4); break;
            default: throw new InvalidDataException($"unsupported protobuf wire type {wireType} at byte {_position}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
            throw new InvalidDataException($"protobuf data truncated at byte {_position}");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
