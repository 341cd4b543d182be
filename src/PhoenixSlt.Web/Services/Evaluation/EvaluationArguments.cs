using System.Globalization;

namespace PhoenixSlt.Web.Services.Evaluation;

public static class EvaluationArguments
{
    /// <c>evaluate --checkpoint DIR --data DIR --split S --beams K --json --hyp-out FILE --device D --batch-size B
    /// [--threads N]</c>.
    public static IReadOnlyList<string> For(string checkpoint, string datasetDir, string split, int beams, string hypothesesFile, string device, int batchSize,
        int? threads = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(datasetDir);
        ArgumentException.ThrowIfNullOrEmpty(split);
        ArgumentException.ThrowIfNullOrEmpty(hypothesesFile);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        string[] arguments =
        [
            "evaluate", "--checkpoint", checkpoint, "--data", datasetDir, "--split", split,
            "--beams", beams.ToString(CultureInfo.InvariantCulture), "--json", "--hyp-out", hypothesesFile,
            "--device", device, "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture),
        ];
        if (threads is not int count)
            return arguments;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return [.. arguments, "--threads", count.ToString(CultureInfo.InvariantCulture)];
    }
}
