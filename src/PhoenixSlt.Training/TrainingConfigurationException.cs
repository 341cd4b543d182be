namespace PhoenixSlt.Training;

/// A training setting that cannot work (unknown device, option combination, checkpoint of the wrong phase, …).
/// The message names the option or file, says what is wrong and what to do instead.
public sealed class TrainingConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
