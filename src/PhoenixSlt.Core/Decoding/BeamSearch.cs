using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Decoding;

/// Beam search with transformers 4.40 semantics (GenerationMixin._beam_search + BeamSearchScorer):
/// scores = log_softmax(logits) → logits processors → + running beam score (initially 0 for beam 0 and -1e9 for the
/// others); the top max(2, 1 + #EOS)·num_beams candidates over num_beams·vocab per sentence; an EOS candidate
/// becomes a finished hypothesis (<see cref="BeamHypotheses"/>) unless it ranks ≥ num_beams, other candidates fill
/// the next beams in rank order. A sentence whose hypotheses are done (see <see cref="EarlyStopping"/>) leaves the
/// batch at once; at max length the open beams are added as hypotheses and the best hypothesis of each sentence
/// is returned, EOS-terminated and right-padded as transformers' finalize does.
/// The tensor work (log-softmax, processors, top-k) runs batched on the model's device; only the top-k candidates
/// are copied to the CPU for the per-sentence bookkeeping.
public sealed class BeamSearch : ISearchStrategy
{
    /// Initial score of beams 1…num_beams-1, so that the first step expands beam 0 only.
    public const float InactiveBeamScore = -1e9f;

    private readonly GenerationSettings _settings;
    private readonly IReadOnlyList<ILogitsProcessor> _processors;
    private readonly BeamHypotheses[] _hypotheses;
    private readonly int _beams;
    private List<int> _active;
    private Tensor _beamScores; // (N) float32 running sum of log-probs per row

    public BeamSearch(int batchSize, GenerationSettings settings, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.NumBeams, 2, nameof(settings));
        _settings = settings;
        _beams = settings.NumBeams;
        _processors = settings.LogitsProcessors();
        _hypotheses = Enumerable.Range(0, batchSize)
            .Select(_ => new BeamHypotheses(_beams, settings.LengthPenalty, settings.EarlyStopping, settings.MaxLength))
            .ToArray();
        _active = Enumerable.Range(0, batchSize).ToList();
        var initial = new float[batchSize * _beams];
        for (int i = 0; i < initial.Length; i++)
            initial[i] = i % _beams == 0 ? 0f : InactiveBeamScore;
        _beamScores = tensor(initial, [initial.Length], device: device).DetachFromDisposeScope();
    }

    public int RowsPerSentence => _beams;

    /// Candidates examined per sentence and step: max(2, 1 + number of EOS ids) · num_beams.
    public int CandidatesPerSentence => Math.Max(2, 1 + _settings.EosTokenIds.Count) * _beams;

    public SearchStep Step(Tensor logits, TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(history);
        int sentences = _active.Count;
        long vocab = logits.shape[1];
        if (logits.shape[0] != sentences * _beams || history.Rows != logits.shape[0])
            throw new ArgumentException($"expected {sentences * _beams} rows ({sentences} sentences × {_beams} beams), got logits [{string.Join(", ", logits.shape)}] and {history.Rows} history rows", nameof(logits));
        int candidates = CandidatesPerSentence;
        if (candidates > _beams * vocab)
            throw new InvalidOperationException($"beam search with {_beams} beams needs a vocabulary of at least {candidates / _beams} tokens, got {vocab}");

        var logProbs = F.log_softmax(logits.to(ScalarType.Float32), -1); // (N,V)
        logProbs = LogitsProcessing.Apply(_processors, logProbs, history);
        var total = (logProbs + _beamScores.unsqueeze(1)).view(sentences, _beams * vocab); // (N,V) -> (n,K·V)
        var (topScores, topIds) = total.topk(candidates, 1, largest: true, sorted: true); // (n,C)
        float[] scores = TensorData.ToFloat32(topScores);
        long[] ids = TensorData.ToInt64(topIds);

        int currentLength = history.Length + 1; // the length the candidates reach (transformers' cur_len)
        var tokens = new List<long>(sentences * _beams);
        var parents = new List<long>(sentences * _beams);
        var beamScores = new List<float>(sentences * _beams);
        var active = new List<int>(sentences);
        var rowTokens = new long[_beams];
        var rowParents = new long[_beams];
        var rowScores = new float[_beams];
        for (int s = 0; s < sentences; s++)
        {
            var hypotheses = _hypotheses[_active[s]];
            int filled = 0;
            for (int rank = 0; rank < candidates && filled < _beams; rank++)
            {
                long id = ids[s * candidates + rank];
                float score = scores[s * candidates + rank];
                long token = id % vocab;
                long parent = s * _beams + id / vocab;
                if (_settings.IsEos(token))
                {
                    if (rank >= _beams)
                        continue;
                    hypotheses.Add(history.Row((int)parent).ToArray(), score, currentLength - 1);
                }
                else
                {
                    rowTokens[filled] = token;
                    rowParents[filled] = parent;
                    rowScores[filled] = score;
                    filled++;
                }
            }
            if (filled < _beams)
                throw new InvalidOperationException($"only {filled} of {_beams} beams could be continued with a non-EOS token; check the EOS ids and the logits processors");
            if (hypotheses.IsDone(scores[s * candidates], currentLength))
                continue;
            active.Add(_active[s]);
            tokens.AddRange(rowTokens);
            parents.AddRange(rowParents);
            beamScores.AddRange(rowScores);
        }
        bool dropped = active.Count < sentences;
        _active = active;
        ReplaceBeamScores(tensor(beamScores.ToArray(), [beamScores.Count], device: _beamScores.device));
        return new SearchStep([.. tokens], [.. parents], Reordered: true, Dropped: dropped);
    }

    public GenerationOutput Finish(TokenHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (_active.Count > 0)
        {
            // max length reached: the open beams compete with the finished hypotheses (transformers' finalize)
            float[] open = TensorData.ToFloat32(_beamScores);
            for (int s = 0; s < _active.Count; s++)
                for (int beam = 0; beam < _beams; beam++)
                {
                    int row = s * _beams + beam;
                    _hypotheses[_active[s]].Add(history.Row(row).ToArray(), open[row], history.Length - 1);
                }
            _active = [];
        }
        var best = _hypotheses.Select(h => h.Best()).ToArray();
        int longest = best.Length == 0 ? 0 : best.Max(h => h.Tokens.Length);
        int length = Math.Min(longest + 1, _settings.MaxLength);
        var sequences = best.Select(h => Finalized(h.Tokens, length)).ToArray();
        return new GenerationOutput(sequences, best.Select(h => (float)h.Score).ToArray(), null);
    }

    public void Dispose() => _beamScores.Dispose();

    /// The hypothesis right-padded to <paramref name="length"/>, with EOS after it when there is room.
    private long[] Finalized(long[] tokens, int length)
    {
        var row = Enumerable.Repeat(_settings.PadTokenId, length).ToArray();
        tokens.AsSpan(0, Math.Min(tokens.Length, length)).CopyTo(row);
        if (tokens.Length < length && _settings.EosTokenIds.Count > 0)
            row[tokens.Length] = _settings.EosTokenIds[0];
        return row;
    }

    private void ReplaceBeamScores(Tensor scores)
    {
        var old = _beamScores;
        _beamScores = scores.DetachFromDisposeScope();
        old.Dispose();
    }
}
