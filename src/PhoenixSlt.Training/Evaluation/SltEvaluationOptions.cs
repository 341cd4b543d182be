namespace PhoenixSlt.Training.Evaluation;

/// Decoding settings of an evaluation.
/// <param name="NumBeams">1 = greedy search.</param>
/// <param name="BatchSize">Clips decoded together.</param>
/// <param name="MaxNewTokens">Tokens generated at most per clip (after the language code).</param>
/// <param name="SamplesToShow">Translations copied into the result for display.</param>
/// <param name="ComputeLoss">Also compute the teacher-forced validation loss.</param>
public sealed record SltEvaluationOptions(int NumBeams = 5, int BatchSize = 16, int MaxNewTokens = 64, int SamplesToShow = 3, bool ComputeLoss = true)
{
    public SltEvaluationOptions Validate()
    {
        if (NumBeams < 1)
            throw new TrainingConfigurationException($"--beams {NumBeams} must be at least 1 (1 = greedy search)");
        if (BatchSize < 1)
            throw new TrainingConfigurationException($"evaluation batch size {BatchSize} must be at least 1");
        if (MaxNewTokens < 1)
            throw new TrainingConfigurationException($"the maximum translation length {MaxNewTokens} must be at least 1 token");
        return this;
    }
}
