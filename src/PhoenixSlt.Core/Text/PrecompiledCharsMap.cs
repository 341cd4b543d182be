using System.Buffers.Binary;
using System.Text;

namespace PhoenixSlt.Core.Text;

/// The "precompiled_charsmap" of a SentencePiece NormalizerSpec: a darts-clone double-array trie over UTF-8
/// byte sequences whose values are offsets of NUL-terminated replacement strings.
/// Blob layout (sentencepiece normalizer.cc): uint32 LE trie size in bytes, the trie units (uint32 LE),
/// then the replacement strings.
internal sealed class PrecompiledCharsMap
{
    // sentencepiece's Normalizer::kMaxTrieResultsSize: only the first 32 prefix matches are considered.
    private const int MaxTrieResults = 32;

    private readonly uint[] _units;
    private readonly byte[] _replacements;

    private PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        _units = units;
        _replacements = replacements;
    }

    public static PrecompiledCharsMap Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length <= sizeof(uint))
            throw new InvalidDataException("precompiled character map is too short");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes > (uint)(blob.Length - sizeof(uint)) || trieBytes % sizeof(uint) != 0)
            throw new InvalidDataException($"precompiled character map: trie size {trieBytes} does not fit the {blob.Length}-byte blob");
        var trie = blob.Slice(sizeof(uint), (int)trieBytes);
        var units = new uint[trie.Length / sizeof(uint)];
        for (int i = 0; i < units.Length; i++)
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(trie[(i * sizeof(uint))..]);
        return new PrecompiledCharsMap(units, blob[(sizeof(uint) + (int)trieBytes)..].ToArray());
    }

    /// Longest rule matching a prefix of <paramref name="input"/> (Normalizer::NormalizePrefix);
    /// false when no rule applies.
    public bool TryMatchLongest(ReadOnlySpan<byte> input, out int length, out string replacement)
    {
        length = 0;
        int value = 0, results = 0;
        if (_units.Length == 0)
        {
            replacement = "";
            return false;
        }

        // darts-clone DoubleArray::commonPrefixSearch.
        uint id = Offset(_units[0]);
        for (int i = 0; i < input.Length && results < MaxTrieResults; i++)
        {
            byte label = input[i];
            id ^= label;
            if (id >= _units.Length)
                break;
            uint unit = _units[id];
            if (Label(unit) != label)
                break;
            id ^= Offset(unit);
            if (HasLeaf(unit))
            {
                if (id >= _units.Length)
                    break;
                results++;
                length = i + 1;
                value = (int)Value(_units[id]);
            }
        }

        replacement = length > 0 ? ReplacementAt(value) : "";
        return length > 0;
    }

    private string ReplacementAt(int offset)
    {
        if (offset < 0 || offset >= _replacements.Length)
            throw new InvalidDataException($"precompiled character map: replacement offset {offset} out of range");
        var tail = _replacements.AsSpan(offset);
        int end = tail.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? tail : tail[..end]);
    }

    // darts-clone DoubleArrayUnit accessors.
    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
    private static uint Value(uint unit) => unit & ((1U << 31) - 1);
    private static uint Label(uint unit) => unit & ((1U << 31) | 0xFF);
    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1U << 9)) >> 6);
}
