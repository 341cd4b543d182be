using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// What <see cref="SequenceGenerator.Generate"/> returns, laid out like transformers' generate output.
public sealed class GenerationOutput : IDisposable
{
    public GenerationOutput(long[][] sequences, float[]? sequenceScores, Tensor? scores)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Any(s => s.Length != (sequences.Length == 0 ? 0 : sequences[0].Length)))
            throw new ArgumentException("all sequences must have the same (padded) length", nameof(sequences));
        if (sequenceScores is not null && sequenceScores.Length != sequences.Length)
            throw new ArgumentException($"{sequenceScores.Length} scores for {sequences.Length} sequences", nameof(sequenceScores));
        Sequences = sequences;
        SequenceScores = sequenceScores;
        Scores = scores;
    }

    /// One row per input (B rows of equal length L): the decoder start token, the generated tokens (ending with EOS
    /// unless the maximum length was reached), then padding.
    public IReadOnlyList<long[]> Sequences { get; }

    /// Beam search: the length-penalised score of each returned hypothesis (transformers' sequences_scores);
    /// null for greedy search.
    public float[]? SequenceScores { get; }

    /// Greedy search with output_scores: (B, steps, V) processed scores of every step on the CPU; otherwise null.
    public Tensor? Scores { get; }

    public int BatchSize => Sequences.Count;

    /// Padded length L (start token included).
    public int Length => Sequences.Count == 0 ? 0 : Sequences[0].Length;

    /// The sequences as a (B, L) int64 CPU tensor.
    public Tensor SequencesTensor()
    {
        var flat = new long[BatchSize * Length];
        for (int b = 0; b < BatchSize; b++)
            Sequences[b].CopyTo(flat, b * Length);
        return tensor(flat, [BatchSize, Length]);
    }

    public void Dispose() => Scores?.Dispose();
}
