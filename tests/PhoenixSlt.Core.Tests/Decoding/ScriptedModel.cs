using PhoenixSlt.Core.Decoding;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Decoding;

/// A stand-in decoder whose next-token distribution depends only on the sentence's scenario (the value of its
/// inputs_embeds at [b, 0, 0]) and on the last token, so that search results can be worked out by hand.
/// Tokens: 0 = start/BOS, 1 = pad, 2 = EOS, 3 = A, 4 = B, 5 = C. Listed tokens get logit ln(p), unlisted ones
/// -1e4; a (scenario, last token) pair without a rule gets all-zero logits.
public sealed class ScriptedModel : IIncrementalDecoderModel
{
    public const int Start = 0, Pad = 1, Eos = 2, A = 3, B = 4, C = 5;
    public const float Unlisted = -1e4f;

    private readonly Dictionary<(int Scenario, long Last), (long Token, double P)[]> _rules = [];

    public int VocabSize => 6;
    public int PadTokenId => Pad;
    public int EosTokenId => Eos;
    public int BosTokenId => Start;
    public int? DecoderStartTokenId => Start;
    public int? ForcedEosTokenId => null;
    public int MaxDecoderPositions => 64;
    public Device Device => CPU;

    /// Caches handed out (to inspect how the generator reordered and compacted them).
    public List<ScriptedCache> Caches { get; } = [];

    /// After <paramref name="last"/> in <paramref name="scenario"/>, the next token is distributed as given.
    public ScriptedModel Rule(int scenario, long last, params (long Token, double P)[] next)
    {
        _rules[(scenario, last)] = next;
        return this;
    }

    /// inputs_embeds (B, 1, 1) holding the scenario of each sentence.
    public static GenerationInputs Scenarios(params int[] scenarios)
        => GenerationInputs.FromEmbeds(tensor(scenarios.Select(s => (float)s).ToArray(), [scenarios.Length, 1, 1]));

    public Tensor Encode(Tensor? inputIds, Tensor? inputsEmbeds, Tensor? attentionMask)
        => (inputsEmbeds ?? throw new ArgumentException("scripted model reads inputs_embeds")).clone();

    public IDecoderCache CreateCache()
    {
        var cache = new ScriptedCache();
        Caches.Add(cache);
        return cache;
    }

    public Tensor DecodeStep(Tensor decoderInputIds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask, IDecoderCache cache)
    {
        var scripted = (ScriptedCache)cache;
        long rows = decoderInputIds.shape[0];
        if (scripted.Length > 0 && scripted.BatchSize != rows)
            throw new InvalidOperationException($"cache holds {scripted.BatchSize} rows, step has {rows}");
        if (encoderHiddenStates.shape[0] != rows)
            throw new InvalidOperationException($"encoder states hold {encoderHiddenStates.shape[0]} rows, step has {rows}");
        var last = decoderInputIds.select(1, 0).contiguous().data<long>().ToArray();
        var scenario = encoderHiddenStates.select(2, 0).select(1, 0).contiguous().data<float>().ToArray();
        var logits = new float[rows * VocabSize];
        for (int n = 0; n < rows; n++)
        {
            if (!_rules.TryGetValue(((int)scenario[n], last[n]), out var next))
                continue;
            Array.Fill(logits, Unlisted, n * VocabSize, VocabSize);
            foreach (var (token, p) in next)
                logits[n * VocabSize + token] = (float)Math.Log(p);
        }
        scripted.Step(rows);
        return tensor(logits, [rows, 1, VocabSize]);
    }
}

/// Tracks the length and rows a generator asked for.
public sealed class ScriptedCache : IDecoderCache
{
    public long Length { get; private set; }
    public long BatchSize { get; private set; }
    public int Reorders { get; private set; }
    public List<long> SelectSizes { get; } = [];

    public void Step(long rows)
    {
        Length++;
        BatchSize = rows;
    }

    public void Reorder(Tensor beamIndex)
    {
        if (beamIndex.shape[0] != BatchSize)
            throw new InvalidOperationException($"reorder with {beamIndex.shape[0]} indices for {BatchSize} rows");
        Reorders++;
    }

    public void Select(Tensor rowIndex)
    {
        BatchSize = rowIndex.shape[0];
        SelectSizes.Add(BatchSize);
    }

    public void Dispose()
    {
    }
}
