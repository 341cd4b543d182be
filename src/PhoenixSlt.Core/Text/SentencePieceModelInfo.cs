namespace PhoenixSlt.Core.Text;

/// Kind of a SentencePiece vocabulary entry (sentencepiece_model.proto, SentencePiece.Type).
public enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// SentencePiece model algorithm (sentencepiece_model.proto, TrainerSpec.ModelType).
public enum SentencePieceModelType
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}

/// One vocabulary entry of a SentencePiece model.
public sealed record SentencePieceEntry(string Piece, float Score, SentencePieceType Type);

/// The normaliser settings stored in a SentencePiece model (NormalizerSpec).
/// <param name="Name">Rule name, e.g. "nmt_nfkc" or "identity".</param>
/// <param name="PrecompiledCharsMap">Compiled character map (double-array trie + replacement strings); empty when absent.</param>
public sealed record SentencePieceNormalizerSpec(
    string Name,
    byte[] PrecompiledCharsMap,
    bool AddDummyPrefix,
    bool RemoveExtraWhitespaces,
    bool EscapeWhitespaces);

/// The parts of a SentencePiece ModelProto (sentencepiece_model.proto) used by <see cref="MBartTokenizer"/>:
/// vocabulary pieces, model type, whitespace placement and the normaliser.
public sealed record SentencePieceModelInfo(
    IReadOnlyList<SentencePieceEntry> Pieces,
    SentencePieceModelType ModelType,
    bool TreatWhitespaceAsSuffix,
    bool ByteFallback,
    SentencePieceNormalizerSpec Normalizer)
{
    // ModelProto field numbers.
    private const int ModelPieces = 1, ModelTrainerSpec = 2, ModelNormalizerSpec = 3;
    // SentencePiece field numbers.
    private const int PiecePiece = 1, PieceScore = 2, PieceType = 3;
    // TrainerSpec field numbers.
    private const int TrainerModelType = 3, TrainerTreatWhitespaceAsSuffix = 24, TrainerByteFallback = 35;
    // NormalizerSpec field numbers.
    private const int NormName = 1, NormCharsMap = 2, NormAddDummyPrefix = 3, NormRemoveExtraWhitespaces = 4, NormEscapeWhitespaces = 5;

    /// Parses a serialized ModelProto. Throws <see cref="InvalidDataException"/> when the bytes are not one.
    public static SentencePieceModelInfo Parse(ReadOnlySpan<byte> model)
    {
        var pieces = new List<SentencePieceEntry>();
        var modelType = SentencePieceModelType.Unigram;
        bool suffix = false, byteFallback = false;
        SentencePieceNormalizerSpec? normalizer = null;

        var reader = new ProtobufReader(model);
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (field == ModelPieces && wire == ProtobufReader.WireLengthDelimited)
                pieces.Add(ParsePiece(reader.ReadBytes()));
            else if (field == ModelTrainerSpec && wire == ProtobufReader.WireLengthDelimited)
                (modelType, suffix, byteFallback) = ParseTrainerSpec(reader.ReadBytes());
            else if (field == ModelNormalizerSpec && wire == ProtobufReader.WireLengthDelimited)
                normalizer = ParseNormalizerSpec(reader.ReadBytes());
            else
                reader.Skip(wire);
        }

        if (pieces.Count == 0)
            throw new InvalidDataException("no vocabulary pieces found (is this a SentencePiece .model file?)");
        normalizer ??= new SentencePieceNormalizerSpec("nmt_nfkc", [], true, true, true);
        return new SentencePieceModelInfo(pieces, modelType, suffix, byteFallback, normalizer);
    }

    private static SentencePieceEntry ParsePiece(ReadOnlySpan<byte> data)
    {
        string? piece = null;
        float score = 0;
        var type = SentencePieceType.Normal;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (field == PiecePiece && wire == ProtobufReader.WireLengthDelimited)
                piece = reader.ReadString();
            else if (field == PieceScore && wire == ProtobufReader.WireFixed32)
                score = reader.ReadFloat();
            else if (field == PieceType && wire == ProtobufReader.WireVarint)
                type = (SentencePieceType)(int)reader.ReadVarint();
            else
                reader.Skip(wire);
        }
        if (string.IsNullOrEmpty(piece))
            throw new InvalidDataException("a vocabulary entry has an empty piece");
        return new SentencePieceEntry(piece, score, type);
    }

    private static (SentencePieceModelType, bool, bool) ParseTrainerSpec(ReadOnlySpan<byte> data)
    {
        var modelType = SentencePieceModelType.Unigram;
        bool suffix = false, byteFallback = false;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            if (field == TrainerModelType && wire == ProtobufReader.WireVarint)
                modelType = (SentencePieceModelType)(int)reader.ReadVarint();
            else if (field == TrainerTreatWhitespaceAsSuffix && wire == ProtobufReader.WireVarint)
                suffix = reader.ReadBool();
            else if (field == TrainerByteFallback && wire == ProtobufReader.WireVarint)
                byteFallback = reader.ReadBool();
            else
                reader.Skip(wire);
        }
        return (modelType, suffix, byteFallback);
    }

    private static SentencePieceNormalizerSpec ParseNormalizerSpec(ReadOnlySpan<byte> data)
    {
        string name = "";
        byte[] charsMap = [];
        bool dummyPrefix = true, removeExtra = true, escape = true;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out int field, out int wire))
        {
            switch (field)
            {
                case NormName when wire == ProtobufReader.WireLengthDelimited: name = reader.ReadString(); break;
                case NormCharsMap when wire == ProtobufReader.WireLengthDelimited: charsMap = reader.ReadBytes().ToArray(); break;
                case NormAddDummyPrefix when wire == ProtobufReader.WireVarint: dummyPrefix = reader.ReadBool(); break;
                case NormRemoveExtraWhitespaces when wire == ProtobufReader.WireVarint: removeExtra = reader.ReadBool(); break;
                case NormEscapeWhitespaces when wire == ProtobufReader.WireVarint: escape = reader.ReadBool(); break;
                default: reader.Skip(wire); break;
            }
        }
        return new SentencePieceNormalizerSpec(name, charsMap, dummyPrefix, removeExtra, escape);
    }
}
