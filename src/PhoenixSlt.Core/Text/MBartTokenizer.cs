using Microsoft.ML.Tokenizers;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Text;

/// Same ids as transformers' slow MBartTokenizer (4.40): fairseq layout &lt;s&gt;=0 &lt;pad&gt;=1 &lt;/s&gt;=2
/// &lt;unk&gt;=3, SentencePiece piece i≥3 → i+1 (the SentencePiece unknown → 3), the 25 language codes after the
/// pieces, then &lt;mask&gt;; sequences end with [&lt;/s&gt;, language]. Text is split on special-token literals,
/// each part normalised like sentencepiece (<see cref="SentencePieceTextNormalizer"/>) and segmented by
/// Microsoft.ML.Tokenizers' SentencePiece model; consecutive unknown pieces count once, as in sentencepiece.
/// Decoding drops special ids (with skipSpecialTokens), joins pieces, turns "▁" into spaces, trims and applies
/// transformers' clean_up_tokenization.
public sealed class MBartTokenizer : SltTokenizerBase
{
    /// File name of the SentencePiece model in mBART checkpoints (and in our checkpoint folders).
    public const string ModelFileName = "sentencepiece.bpe.model";

    /// fairseq shifts SentencePiece ids by one (its dictionary starts with &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt;).
    public const int FairseqOffset = 1;

    private readonly byte[] _modelBytes;
    private readonly SentencePieceTokenizer _segmenter;
    private readonly int _spmUnknownId;

    private MBartTokenizer(byte[] modelBytes, SentencePieceModelInfo model, SentencePieceTokenizer segmenter, string defaultLanguage)
        : base(model.Pieces.Count + FairseqOffset, SpecialTokens.FairseqLanguageCodes, defaultLanguage)
    {
        _modelBytes = modelBytes;
        Model = model;
        _segmenter = segmenter;
        Normalizer = SentencePieceTextNormalizer.FromSpec(model.Normalizer, model.TreatWhitespaceAsSuffix);
        int unknown = -1;
        for (int i = 0; i < model.Pieces.Count && unknown < 0; i++)
            if (model.Pieces[i].Type == SentencePieceType.Unknown)
                unknown = i;
        _spmUnknownId = unknown < 0 ? 0 : unknown;
    }

    public override string Kind => "sentencepiece";

    /// The parsed SentencePiece model (pieces, normaliser settings).
    public SentencePieceModelInfo Model { get; }

    /// The normaliser applied to each text part before segmentation.
    public SentencePieceTextNormalizer Normalizer { get; }

    /// Number of SentencePiece pieces (1000 for the test model, 250000 for mbart-large-cc25).
    public int SentencePieceCount => Model.Pieces.Count;

    /// Loads a SentencePiece model file (mBART's sentencepiece.bpe.model).
    /// Throws <see cref="PhoenixDataException"/> naming the file when it is missing or not a usable model.
    public static MBartTokenizer Load(string modelPath, string defaultLanguage = SpecialTokens.DefaultLanguage)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (Directory.Exists(modelPath))
            modelPath = Path.Combine(modelPath, ModelFileName);
        if (!File.Exists(modelPath))
            throw new PhoenixDataException(modelPath,
                $"SentencePiece model not found; pass the {ModelFileName} that comes with the mBART checkpoint");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(modelPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(modelPath, $"cannot read the SentencePiece model: {e.Message}", e);
        }
        return FromBytes(bytes, defaultLanguage, modelPath);
    }

    /// Builds the tokenizer from the bytes of a SentencePiece model; <paramref name="sourcePath"/> only names
    /// the origin in error messages.
    public static MBartTokenizer FromBytes(byte[] modelBytes, string defaultLanguage = SpecialTokens.DefaultLanguage, string? sourcePath = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        SentencePieceModelInfo model;
        SentencePieceTokenizer segmenter;
        try
        {
            model = SentencePieceModelInfo.Parse(modelBytes);
            using var stream = new MemoryStream(modelBytes, writable: false);
            segmenter = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException
                                      or Google.Protobuf.InvalidProtocolBufferException or NotSupportedException)
        {
            throw new PhoenixDataException(sourcePath,
                $"not a usable SentencePiece model ({e.Message}); pass the {ModelFileName} of an mBART checkpoint", e);
        }
        if (segmenter.Vocabulary.Count != model.Pieces.Count)
            throw new PhoenixDataException(sourcePath,
                $"SentencePiece model lists {model.Pieces.Count} pieces but the segmenter loaded {segmenter.Vocabulary.Count}");
        try
        {
            return new MBartTokenizer(modelBytes, model, segmenter, defaultLanguage);
        }
        catch (InvalidDataException e)
        {
            throw new PhoenixDataException(sourcePath, $"unsupported SentencePiece normaliser: {e.Message}", e);
        }
    }

    /// Id of a SentencePiece id in the fairseq layout (the unknown piece → &lt;unk&gt;=3).
    public int FromSentencePieceId(int spmId) => spmId == _spmUnknownId ? UnkId : spmId + FairseqOffset;

    /// Text of <paramref name="ids"/>; <paramref name="cleanUpTokenizationSpaces"/> applies transformers'
    /// clean_up_tokenization (the default of <see cref="SltTokenizerBase.Decode"/>).
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens, bool cleanUpTokenizationSpaces)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Join(TokensOf(ids, skipSpecialTokens), cleanUpTokenizationSpaces);
    }

    public override string SaveTo(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, ModelFileName);
        File.WriteAllBytes(path, _modelBytes);
        return path;
    }


    protected override string PieceToken(int id) => Model.Pieces[id - FairseqOffset].Piece;

    protected override string JoinTokens(IReadOnlyList<string> tokens) => Join(tokens, cleanUp: true);

    private static string Join(IReadOnlyList<string> tokens, bool cleanUp)
    {
        string text = string.Concat(tokens).Replace(SentencePieceTextNormalizer.SpaceSymbol, ' ').Trim();
        return cleanUp ? TokenizationCleanup.Apply(text) : text;
    }

    protected override void AppendTextIds(string text, List<int> ids)
    {
        string normalized = Normalizer.Normalize(text);
        if (normalized.Length == 0)
            return;
        var spmIds = _segmenter.EncodeToIds(normalized, addBeginningOfSentence: false, addEndOfSentence: false,
            considerPreTokenization: false, considerNormalization: false);
        bool previousUnknown = false;
        foreach (int spmId in spmIds)
        {
            bool unknown = spmId == _spmUnknownId;
            // sentencepiece merges a run of unknown characters into one unknown piece.
            if (!(unknown && previousUnknown && !Model.ByteFallback))
                ids.Add(FromSentencePieceId(spmId));
            previousUnknown = unknown;
        }
    }
}
