namespace PhoenixSlt.Training;

/// The estimate of a run's remaining wall time, validations included:
/// remaining steps × seconds per step + the rest of the validation in progress + remaining validations × seconds of
/// the last validation. Pure functions; the trainer measures the inputs.
public static class TrainingEta
{
    /// Seconds until the run ends, or null while nothing is measured (no step timed and no validation in progress).
    /// <param name="remainingSteps">Optimizer steps still to train.</param>
    /// <param name="secondsPerStep">Training time per optimizer step (validation and checkpoints excluded); null = not measured yet.</param>
    /// <param name="remainingValidations">Validations after the one in progress (<see cref="RemainingValidations"/>).</param>
    /// <param name="secondsPerValidation">Duration of the last finished validation; null = none finished yet (counted as 0).</param>
    /// <param name="currentValidationSeconds">The rest of the validation in progress (<see cref="RestOfValidation"/>), 0 when none runs.</param>
    public static double? Seconds(long remainingSteps, double? secondsPerStep, long remainingValidations, double? secondsPerValidation,
        double currentValidationSeconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(remainingSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(remainingValidations);
        if (secondsPerStep is null && remainingSteps > 0 && currentValidationSeconds <= 0)
            return null;
        double training = remainingSteps * NonNegative(secondsPerStep);
        double validations = remainingValidations * NonNegative(secondsPerValidation);
        return training + validations + NonNegative(currentValidationSeconds);
    }

    /// Validations the trainer still runs after step <paramref name="step"/> (a validation at <paramref name="step"/>
    /// itself not counted): one at every multiple of <paramref name="period"/> up to <paramref name="totalSteps"/>, plus
    /// the final one when <paramref name="totalSteps"/> is not a multiple. <paramref name="period"/> is the eval-every
    /// steps, or the steps of an epoch when validating at the end of every epoch.
    public static long RemainingValidations(long step, long totalSteps, long period)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(period);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step >= totalSteps)
            return 0;
        long atMultiples = totalSteps / period - step / period;
        return atMultiples + (totalSteps % period == 0 ? 0 : 1);
    }

    /// The rest of a validation in progress: at the rate so far once a clip is done, else what the last validation took
    /// minus the time spent (0 when no validation finished yet).
    public static double RestOfValidation(double elapsedSeconds, int clipsDone, int clipsTotal, double? lastValidationSeconds)
    {
        if (clipsTotal <= 0 || clipsDone >= clipsTotal)
            return 0;
        if (clipsDone > 0)
            return NonNegative(elapsedSeconds) / clipsDone * (clipsTotal - clipsDone);
        return Math.Max(0, NonNegative(lastValidationSeconds) - NonNegative(elapsedSeconds));
    }

    private static double NonNegative(double? value) => value is double v && double.IsFinite(v) && v > 0 ? v : 0;
}
