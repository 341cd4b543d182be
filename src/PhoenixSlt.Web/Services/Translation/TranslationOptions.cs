using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Services.Translation;

/// Section "Phoenix:Translation": the in-process translation service (queue, micro-batching, checkpoint cache) and
/// the limits applied to uploads before anything reaches the model.
public sealed class TranslationOptions
{
    public const string SectionName = "Phoenix:Translation";

    /// Clips decoded together at most (1 = no batching).
    [Range(1, 256)]
    public int MaxBatchSize { get; set; } = 16;

    /// How long the oldest waiting request may wait for others to share its batch.
    [Range(0, 10_000)]
    public int MaxWaitMs { get; set; } = 20;

    /// Requests waiting at most; further requests are answered "busy" (HTTP 503 with Retry-After).
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 256;

    /// Memory the loaded checkpoints may take together (estimated from their weights); the least recently used
    /// checkpoint is unloaded first. The checkpoint in use always stays loaded.
    [Range(0.001, 1_000_000.0)]
    public double CacheBudgetMb { get; set; } = 2048;

    /// Frames a keypoint or SigLIP upload may have at most.
    [Range(1, 100_000)]
    public int MaxFrames { get; set; } = 1024;

    /// Bytes one request may upload at most (all files together, zip entries counted uncompressed).
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// Files one request may upload at most (zip entries counted one by one).
    [Range(2, 10_000)]
    public int MaxFilesPerUpload { get; set; } = 64;

    /// Seconds a client told "busy" is asked to wait before retrying.
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 2;

    /// Device of the model: cpu, cuda or cuda:N.
    [Required]
    public string Device { get; set; } = "cpu";

    /// libtorch intra-op threads of the translation loop. Empty: the portal's per-job share of the thread budget
    /// (Phoenix:Training:ThreadsPerJob, CpuThreads).
    [Range(1, PhoenixSlt.Training.ThreadBudget.MaxThreads)]
    public int? Threads { get; set; }

    public long CacheBudgetBytes => (long)(CacheBudgetMb * 1024 * 1024);
}
