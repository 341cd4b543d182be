using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Translation;

/// One clip to translate with the SLT checkpoint in folder <paramref name="CheckpointFolder"/> and beam width
/// <paramref name="Beams"/> (1 = greedy).
public sealed record TranslationRequest(string CheckpointFolder, int Beams, FeatureSample Clip);

/// A finished translation: the clip name, the hypothesis, the clip's keypoint frames, the time from submission
/// to completion in milliseconds, the glosses recognised by a checkpoint with a gloss head (else null), and the
/// decoding of the batch the clip was decoded in: its time in milliseconds and its clips (clips decoded together
/// share that time; a clip's own decoding time is known only when it was decoded alone).
public sealed record TranslationResult(string Name, string Hypothesis, int Frames, double Ms, string? Glosses = null,
    double BatchDecodeMs = 0, int BatchClips = 1);

/// The answer to a submission: the pending translation, or busy (the queue is full) with the time to wait before
/// retrying.
public sealed record TranslationSubmission(Task<TranslationResult>? Result, TimeSpan RetryAfter)
{
    public bool IsBusy => Result is null;
}

/// Counters of the translation loop since start.
/// <param name="Batches">Batches decoded.</param>
/// <param name="Decoded">Clips decoded.</param>
/// <param name="Dropped">Requests cancelled before decoding (never decoded).</param>
/// <param name="Rejected">Submissions answered busy.</param>
/// <param name="LargestBatch">Clips of the largest batch.</param>
/// <param name="Loads">Checkpoints loaded.</param>
/// <param name="Evictions">Checkpoints unloaded to stay within the memory budget.</param>
public sealed record TranslationStatistics(long Batches, long Decoded, long Dropped, long Rejected, int LargestBatch, int Loads, int Evictions);

/// A translation that could not be made (the checkpoint cannot be loaded or decoding failed); the message says why.
public sealed class TranslationFailedException(string message, Exception? inner = null) : Exception(message, inner);
