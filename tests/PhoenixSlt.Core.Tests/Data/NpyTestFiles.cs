using System.Buffers.Binary;
using System.Text;

namespace PhoenixSlt.Core.Tests.Data;

/// Hand-built .npy bytes for malformed-input tests (layout from the .npy format specification).
public static class NpyTestFiles
{
    /// Magic, version, header length, the given header text padded with spaces to a 64-byte boundary and '\n', data.
    public static byte[] Raw(string dict, byte[] data, int major = 1, int minor = 0)
    {
        int lengthSize = major == 1 ? 2 : 4;
        int prefix = 8 + lengthSize;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        byte[] headerBytes = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);
        var bytes = new byte[prefix + headerBytes.Length + data.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, (byte)minor }.CopyTo(bytes, 0);
        if (lengthSize == 2)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerBytes.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerBytes.Length);
        headerBytes.CopyTo(bytes, prefix);
        data.CopyTo(bytes, prefix + headerBytes.Length);
        return bytes;
    }
}

/// A read-only stream that cannot seek (like a network upload).
public sealed class NonSeekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
