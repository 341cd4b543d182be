namespace PhoenixSlt.Core.Decoding;

/// One finished beam hypothesis: its tokens (decoder start first, EOS not included) and its length-penalised score.
public sealed record BeamHypothesis(double Score, long[] Tokens);

/// The best finished hypotheses of one sentence, same rules as transformers 4.40's BeamHypotheses: at most
/// num_beams kept, scored sum_logprobs / generated_len ** length_penalty (generated_len = tokens after the start
/// token, EOS included), worst score tracked for pruning and for the stopping test.
public sealed class BeamHypotheses
{
    /// Worst score before anything was added (transformers' initial worst_score).
    public const double InitialWorstScore = 1e9;

    private readonly List<BeamHypothesis> _beams = [];

    public BeamHypotheses(int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numBeams);
        NumBeams = numBeams;
        LengthPenalty = lengthPenalty;
        EarlyStopping = earlyStopping;
        MaxLength = maxLength;
    }

    public int NumBeams { get; }

    public double LengthPenalty { get; }

    public EarlyStopping EarlyStopping { get; }

    public int MaxLength { get; }

    public int Count => _beams.Count;

    public double WorstScore { get; private set; } = InitialWorstScore;

    /// The kept hypotheses in insertion order.
    public IReadOnlyList<BeamHypothesis> Beams => _beams;

    /// Length-penalised score: <paramref name="sumLogProbs"/> / <paramref name="generatedLength"/> ** length_penalty.
    public double Score(double sumLogProbs, int generatedLength) => sumLogProbs / Math.Pow(generatedLength, LengthPenalty);

    /// Adds a hypothesis if there is room or it beats the worst one (which is then dropped).
    public void Add(long[] tokens, double sumLogProbs, int generatedLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        double score = Score(sumLogProbs, generatedLength);
        if (_beams.Count >= NumBeams && !(score > WorstScore))
            return;
        _beams.Add(new BeamHypothesis(score, tokens));
        if (_beams.Count > NumBeams)
        {
            // sorted((score, index)): the lowest score goes, the earliest among equal scores first
            int worst = IndexOfLowest();
            _beams.RemoveAt(worst);
            WorstScore = _beams[IndexOfLowest()].Score;
        }
        else
        {
            WorstScore = Math.Min(score, WorstScore);
        }
    }

    /// Whether no running beam can still enter the list. <paramref name="bestSumLogProbs"/>: best running score
    /// (sum of log-probs); <paramref name="currentLength"/>: length the running beams reach with this step
    /// (transformers' cur_len = input_ids length + 1); <paramref name="promptLength"/>: decoder prompt length (1).
    public bool IsDone(double bestSumLogProbs, int currentLength, int promptLength = 1)
    {
        if (_beams.Count < NumBeams)
            return false;
        switch (EarlyStopping)
        {
            case EarlyStopping.OnBeamsFinished:
                return true;
            case EarlyStopping.Heuristic:
                return WorstScore >= bestSumLogProbs / Math.Pow(currentLength - promptLength, LengthPenalty);
            default:
                int length = LengthPenalty > 0.0 ? MaxLength : currentLength;
                if (LengthPenalty > 0.0 && MaxLength <= promptLength)
                    throw new InvalidOperationException("max_length is not larger than the decoder prompt length");
                return WorstScore >= bestSumLogProbs / Math.Pow(length - promptLength, LengthPenalty);
        }
    }

    /// The highest-scoring hypothesis (the latest added among equal scores, as Python's stable sort + pop gives).
    public BeamHypothesis Best()
    {
        if (_beams.Count == 0)
            throw new InvalidOperationException("no finished hypothesis");
        int best = 0;
        for (int i = 1; i < _beams.Count; i++)
            if (_beams[i].Score >= _beams[best].Score)
                best = i;
        return _beams[best];
    }

    private int IndexOfLowest()
    {
        int lowest = 0;
        for (int i = 1; i < _beams.Count; i++)
            if (_beams[i].Score < _beams[lowest].Score)
                lowest = i;
        return lowest;
    }
}
