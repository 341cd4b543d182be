using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Training;
using static TorchSharp.torch;

namespace PhoenixSlt.Web.Services.Translation;

/// Translates uploaded clips in the web process (inference only). Submissions go into a bounded queue; one loop
/// thread forms micro-batches of requests sharing checkpoint and beam width (up to
/// <see cref="TranslationOptions.MaxBatchSize"/> clips, or what arrived within <see cref="TranslationOptions.MaxWaitMs"/>
/// of the oldest), pads them with the checkpoint's collator and runs batched beam search through Core's inference
/// entry point (<see cref="SltCheckpoint.Translate(IReadOnlyList{FeatureSample}, int)"/>, the decoding of
/// `phoenix-slt translate` and `evaluate`). A full queue answers busy; a request cancelled before its batch is formed
/// is dropped undecoded. Loaded checkpoints are kept in an LRU cache bounded by
/// <see cref="TranslationOptions.CacheBudgetMb"/>. All tensor work happens on the loop thread, inside dispose scopes.
public sealed class TranslationService : IDisposable
{
    private readonly TranslationOptions _options;
    private readonly ILogger<TranslationService> _logger;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _loop;
    private readonly LruBudgetCache<SltCheckpoint> _checkpoints;
    private readonly Device _device;
    private int _waiting;
    private long _batches, _decoded, _dropped, _rejected;
    private int _largestBatch, _loads, _evictions;
    private bool _disposed;

    public TranslationService(IOptions<TranslationOptions> options, ILogger<TranslationService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _device = DeviceSelection.Parse(_options.Device).ToDevice();
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _checkpoints = new LruBudgetCache<SltCheckpoint>(_options.CacheBudgetBytes, LoadCheckpoint, EstimateBytes);
        _loop = new Thread(Loop) { IsBackground = true, Name = "translation-loop" };
        _loop.Start();
    }

    public TranslationOptions Options => _options;

    public TranslationStatistics Statistics => new(Interlocked.Read(ref _batches), Interlocked.Read(ref _decoded), Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _rejected), Volatile.Read(ref _largestBatch), Volatile.Read(ref _loads), Volatile.Read(ref _evictions));

    /// Queues <paramref name="request"/>; busy when <see cref="TranslationOptions.QueueCapacity"/> requests already
    /// wait. Cancelling <paramref name="cancellationToken"/> cancels the result and, before decoding, drops the request.
    public TranslationSubmission Submit(TranslationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CheckpointFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Beams, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Increment(ref _waiting) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _waiting);
            Interlocked.Increment(ref _rejected);
            return new TranslationSubmission(null, TimeSpan.FromSeconds(_options.RetryAfterSeconds));
        }
        var pending = new Pending(request, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            pending.Fail(new ObjectDisposedException(nameof(TranslationService), "the translation service is stopping"));
        }
        return new TranslationSubmission(pending.Task, TimeSpan.Zero);
    }

    /// Submits every clip; when any is refused (busy) the others are cancelled and null is returned.
    public IReadOnlyList<Task<TranslationResult>>? SubmitAll(string checkpointFolder, int beams, IReadOnlyList<FeatureSample> clips,
        CancellationTokenSource cancellation)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(cancellation);
        var tasks = new List<Task<TranslationResult>>(clips.Count);
        foreach (var clip in clips)
        {
            var submission = Submit(new TranslationRequest(checkpointFolder, beams, clip), cancellation.Token);
            if (submission.IsBusy)
            {
                cancellation.Cancel();
                return null;
            }
            tasks.Add(submission.Result!);
        }
        return tasks;
    }

    private void Loop()
    {
        var pending = new List<Pending>();
        try
        {
            // libtorch's thread count is global; this thread is the only one of the portal that runs tensor code.
            ThreadBudget.Apply(_options.Threads);
            // One step per call: the step's locals (the last request read, the batch and its clips) are out of reach
            // once it returns, so a decoded upload is not kept alive while the loop waits for the next request.
            while (!_stopping.IsCancellationRequested && Step(pending))
            {
            }
        }
        finally
        {
            foreach (var p in pending)
                p.Fail(new ObjectDisposedException(nameof(TranslationService), "the translation service stopped"));
            while (_queue.Reader.TryRead(out var rest))
                rest.Fail(new ObjectDisposedException(nameof(TranslationService), "the translation service stopped"));
        }
    }

    /// Takes what the queue holds, then waits for more or decodes one batch; false when the service stops.
    private bool Step(List<Pending> pending)
    {
        while (_queue.Reader.TryRead(out var next))
            pending.Add(next);
        DropCancelled(pending);
        if (pending.Count == 0)
            return WaitForRequest(Timeout.InfiniteTimeSpan);
        var oldest = pending[0];
        var batch = pending.Where(p => p.SameBatchAs(oldest)).Take(_options.MaxBatchSize).ToList();
        var left = TimeSpan.FromMilliseconds(_options.MaxWaitMs) - Stopwatch.GetElapsedTime(oldest.Submitted);
        if (batch.Count < _options.MaxBatchSize && left > TimeSpan.Zero && !_queue.Reader.Completion.IsCompleted)
        {
            WaitForRequest(left);
            return true;
        }
        foreach (var p in batch)
            pending.Remove(p);
        Interlocked.Add(ref _waiting, -batch.Count);
        Decode(batch);
        return true;
    }

    /// Waits until a request may be read or <paramref name="timeout"/> passes; false when the service stops.
    private bool WaitForRequest(TimeSpan timeout)
    {
        try
        {
            var ready = _queue.Reader.WaitToReadAsync(_stopping.Token).AsTask();
            return !ready.Wait(timeout) || ready.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
            return false;
        }
    }

    private void DropCancelled(List<Pending> pending)
    {
        int dropped = pending.RemoveAll(p => p.IsCancelled);
        if (dropped == 0)
            return;
        Interlocked.Add(ref _waiting, -dropped);
        Interlocked.Add(ref _dropped, dropped);
    }

    private void Decode(List<Pending> batch)
    {
        var request = batch[0].Request;
        try
        {
            var checkpoint = _checkpoints.Get(request.CheckpointFolder);
            Volatile.Write(ref _loads, _checkpoints.Loads);
            Volatile.Write(ref _evictions, _checkpoints.Evictions);
            IReadOnlyList<string> hypotheses;
            IReadOnlyList<string>? glosses;
            long decodeStart = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                // one padded batch for the translation and the glosses
                using var clips = checkpoint.Collator().Collate([.. batch.Select(p => p.Request.Clip)], checkpoint.Model.Device);
                hypotheses = checkpoint.Translate(clips, request.Beams);
                glosses = checkpoint.Translator.RecognizeGlosses(clips);
            }
            double decodeMs = Stopwatch.GetElapsedTime(decodeStart).TotalMilliseconds;
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _decoded, batch.Count);
            if (batch.Count > _largestBatch)
                Volatile.Write(ref _largestBatch, batch.Count);
            for (int i = 0; i < batch.Count; i++)
                batch[i].Complete(hypotheses[i], glosses?[i], decodeMs, batch.Count);
        }
        catch (Exception ex) when (ex is CheckpointFormatException or PhoenixDataException or InvalidGenerationConfigException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Translation with checkpoint {Checkpoint} failed: {Problem}", request.CheckpointFolder, ex.Message);
            var failure = new TranslationFailedException(ex.Message, ex);
            foreach (var p in batch)
                p.Fail(failure);
        }
        catch (Exception ex) when (ex is ExternalException or InvalidOperationException or ArgumentException)
        {
            _logger.LogError(ex, "Decoding a batch of {Count} clip(s) with checkpoint {Checkpoint} failed", batch.Count, request.CheckpointFolder);
            var failure = new TranslationFailedException($"decoding failed: {ex.Message}", ex);
            foreach (var p in batch)
                p.Fail(failure);
        }
    }

    private SltCheckpoint LoadCheckpoint(string folder)
    {
        _logger.LogInformation("Loading checkpoint {Checkpoint} for translation", folder);
        return SltCheckpoint.Load(folder, _device);
    }

    /// Weights and buffers of the model in bytes (what it takes in memory once loaded).
    public static long EstimateBytes(SltCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        long bytes = 0;
        foreach (var parameter in checkpoint.Model.parameters())
            bytes += parameter.NumberOfElements * parameter.ElementSize;
        foreach (var buffer in checkpoint.Model.buffers())
            bytes += buffer.NumberOfElements * buffer.ElementSize;
        return bytes;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _loop.Join();
        _checkpoints.Dispose();
        _stopping.Dispose();
    }

    private sealed class Pending
    {
        private readonly TaskCompletionSource<TranslationResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private readonly CancellationToken _cancellationToken;

        public Pending(TranslationRequest request, CancellationToken cancellationToken)
        {
            Request = request;
            Submitted = Stopwatch.GetTimestamp();
            _cancellationToken = cancellationToken;
            _registration = cancellationToken.Register(() => _result.TrySetCanceled(cancellationToken));
        }

        public TranslationRequest Request { get; }
        public long Submitted { get; }
        public Task<TranslationResult> Task => _result.Task;
        public bool IsCancelled => _cancellationToken.IsCancellationRequested || _result.Task.IsCompleted;

        public bool SameBatchAs(Pending other)
            => Request.Beams == other.Request.Beams && string.Equals(Request.CheckpointFolder, other.Request.CheckpointFolder, StringComparison.Ordinal);

        public void Complete(string hypothesis, string? glosses, double batchDecodeMs, int batchClips)
        {
            _registration.Dispose();
            _result.TrySetResult(new TranslationResult(Request.Clip.Name, hypothesis, Request.Clip.KeypointFrames,
                Stopwatch.GetElapsedTime(Submitted).TotalMilliseconds, glosses, batchDecodeMs, batchClips));
        }

        public void Fail(Exception exception)
        {
            _registration.Dispose();
            _result.TrySetException(exception);
        }
    }
}
