using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Greedy search with transformers 4.40 semantics: the logits processors run on the raw logits, the arg-max is
/// taken, and a sentence ends with EOS. With output_scores every row keeps running until all have finished
/// (finished rows are fed padding and still get scores, as transformers does); without, a finished sentence's row
/// is dropped from the batch at once.
public sealed class GreedySearch : ISearchStrategy
{
    private readonly GenerationSettings _settings;
    private readonly IReadOnlyList<ILogitsProcessor> _processors;
    private readonly long[]?[] _finished;
    private readonly List<Tensor>? _scores;
    private List<int> _active;
    private bool[] _running;

    public GreedySearch(int batchSize, GenerationSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _processors = settings.LogitsProcessors();
        _finished = new long[]?[batchSize];
        _active = Enumerable.Range(0, batchSize).ToList();
        _running = Enumerable.Repeat(true, batchSize).ToArray();
        _scores = settings.OutputScores ? [] : null;
    }

    public int RowsPerSentence => 1;

    public SearchStep Step(Tensor logits, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(history);
        var scores = LogitsProcessing.Apply(_processors, logits, history); // (N,V)
        _scores?.Add(scores.to(ScalarType.Float32, CPU, copy: true).DetachFromDisposeScope());
        long[] argmax = TensorData.ToInt64(scores.argmax(-1)); // (N)

        var tokens = new long[argmax.Length];
        for (int row = 0; row < argmax.Length; row++)
        {
            tokens[row] = _running[row] ? argmax[row] : _settings.PadTokenId;
            if (_running[row] && _settings.IsEos(tokens[row]))
                _running[row] = false;
        }
        return _scores is null ? DropFinished(history, tokens) : KeepAllUntilDone(history, tokens);
    }

    public GenerationOutput Finish(TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        for (int row = 0; row < _active.Count; row++)
            _finished[_active[row]] = history.Row(row).ToArray();
        _active = [];
        int length = history.Length;
        var sequences = _finished.Select(tokens => Padded(tokens ?? [_settings.DecoderStartTokenId], length)).ToArray();
        Tensor? scores = null;
        if (_scores is { Count: > 0 })
        {
            scores = stack(_scores, 1); // steps × (B,V) -> (B,steps,V)
            DisposeScores();
        }
        return new GenerationOutput(sequences, null, scores);
    }

    public void Dispose() => DisposeScores();

    /// Rows whose sentence just ended leave the batch; the others continue in order.
    private SearchStep DropFinished(TokenHistory history, long[] tokens)
    {
        var keptTokens = new List<long>(tokens.Length);
        var parents = new List<long>(tokens.Length);
        var active = new List<int>(tokens.Length);
        for (int row = 0; row < tokens.Length; row++)
        {
            if (_running[row])
            {
                keptTokens.Add(tokens[row]);
                parents.Add(row);
                active.Add(_active[row]);
            }
            else
            {
                _finished[_active[row]] = [.. history.Row(row), tokens[row]];
            }
        }
        bool dropped = active.Count < _active.Count;
        _active = active;
        _running = Enumerable.Repeat(true, active.Count).ToArray();
        return new SearchStep([.. keptTokens], [.. parents], Reordered: false, Dropped: dropped);
    }

    /// Every row continues (finished ones with padding) until all sentences have ended.
    private SearchStep KeepAllUntilDone(TokenHistory history, long[] tokens)
    {
        if (_running.Any(r => r))
            return new SearchStep(tokens, [.. Enumerable.Range(0, tokens.Length).Select(i => (long)i)], Reordered: false, Dropped: false);
        for (int row = 0; row < tokens.Length; row++)
            _finished[_active[row]] = [.. history.Row(row), tokens[row]];
        _active = [];
        return new SearchStep([], [], Reordered: false, Dropped: true);
    }

    private long[] Padded(long[] tokens, int length)
    {
        var row = Enumerable.Repeat(_settings.PadTokenId, Math.Max(length, tokens.Length)).ToArray();
        tokens.CopyTo(row, 0);
        return row;
    }

    private void DisposeScores()
    {
        if (_scores is null)
            return;
        foreach (var t in _scores)
            t.Dispose();
        _scores.Clear();
    }
}
