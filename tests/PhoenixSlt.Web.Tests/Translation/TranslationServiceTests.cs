using Microsoft.Extensions.Logging.Abstractions;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Tests.Translation;

[Collection(SltCheckpointCollection.Name)]
public sealed class TranslationServiceTests(SltCheckpointFixture fixture)
{
    private static TranslationService Service(TranslationOptions options)
        => new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<TranslationService>.Instance);

    private IReadOnlyList<FeatureSample> Clips() => [.. fixture.Samples.Select(s => ClipReader.Read(s.Keypoints, s.Siglip, s.Name))];

    [Fact]
    public async Task Submit_SixteenConcurrentClients_BatchedResultsEqualSingleClipTranslationsTokenForToken()
    {
        var clips = Clips().Take(16).ToList();
        Assert.Equal(16, clips.Count);
        List<string> alone;
        using (var checkpoint = SltCheckpoint.Load(fixture.Checkpoint))
            alone = [.. clips.Select(c => checkpoint.Translate([c], 2)[0])];
        using var service = Service(new TranslationOptions { MaxBatchSize = 16, MaxWaitMs = 300 });

        var results = await Task.WhenAll(clips.Select(clip => Task.Run(() =>
            service.Submit(new TranslationRequest(fixture.Checkpoint, 2, clip)).Result!)));

        Assert.Equal(alone, results.Select(r => r.Hypothesis));
        Assert.Equal(clips.Select(c => c.Name), results.Select(r => r.Name));
        Assert.Equal(clips.Select(c => c.KeypointFrames), results.Select(r => r.Frames));
        Assert.All(results, r => Assert.True(r.Ms > 0));
        var stats = service.Statistics;
        Assert.Equal(16, stats.Decoded);
        Assert.True(stats.LargestBatch > 1, $"largest batch {stats.LargestBatch}: requests were never batched");
        Assert.True(stats.Batches < 16);
    }

    [Fact]
    public async Task Submit_CheckpointWithAGlossHead_ReturnsItsRecognisedGlossesNextToTheTranslation()
    {
        var clips = Clips().Take(3).ToList();
        IReadOnlyList<string> expected;
        using (var checkpoint = SltCheckpoint.Load(fixture.GlossCheckpoint))
            expected = checkpoint.RecognizeGlosses(clips)!;
        using var service = Service(new TranslationOptions { MaxBatchSize = 8, MaxWaitMs = 100 });

        var withHead = await Task.WhenAll(clips.Select(c => service.Submit(new TranslationRequest(fixture.GlossCheckpoint, 1, c)).Result!));
        var without = await service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clips[0])).Result!;

        Assert.Equal(expected, withHead.Select(r => r.Glosses));
        Assert.Null(without.Glosses);
    }

    [Fact]
    public async Task Submit_DifferentBeams_NeverShareABatchAndEachMatchesItsSingleTranslation()
    {
        var clip = Clips()[0];
        string greedy, beam3;
        using (var checkpoint = SltCheckpoint.Load(fixture.Checkpoint))
        {
            greedy = checkpoint.Translate([clip], 1)[0];
            beam3 = checkpoint.Translate([clip], 3)[0];
        }
        using var service = Service(new TranslationOptions { MaxBatchSize = 8, MaxWaitMs = 100 });

        var a = service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!;
        var b = service.Submit(new TranslationRequest(fixture.Checkpoint, 3, clip)).Result!;

        Assert.Equal(greedy, (await a).Hypothesis);
        Assert.Equal(beam3, (await b).Hypothesis);
        Assert.Equal(2, service.Statistics.Batches);
    }

    [Fact]
    public async Task Submit_QueueFull_AnswersBusyWithRetryAfterAndServesTheAccepted()
    {
        var clip = Clips()[0];
        using var service = Service(new TranslationOptions { MaxBatchSize = 1, MaxWaitMs = 0, QueueCapacity = 2, RetryAfterSeconds = 7 });

        var submissions = Enumerable.Range(0, 12).Select(_ => service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip))).ToList();

        var busy = submissions.Where(s => s.IsBusy).ToList();
        var accepted = submissions.Where(s => !s.IsBusy).ToList();
        // At most QueueCapacity waiting plus the one batch (of MaxBatchSize 1) taken out for decoding.
        Assert.InRange(accepted.Count, 2, 3);
        Assert.All(busy, s => Assert.Equal(TimeSpan.FromSeconds(7), s.RetryAfter));
        var results = await Task.WhenAll(accepted.Select(s => s.Result!));
        Assert.Single(results.Select(r => r.Hypothesis).Distinct());
        Assert.Equal(busy.Count, service.Statistics.Rejected);
        var again = service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip));
        Assert.False(again.IsBusy);
        Assert.Equal(results[0].Hypothesis, (await again.Result!).Hypothesis);
    }

    [Fact]
    public async Task Submit_CancelledBeforeDecoding_ResultCancelledAndClipNeverDecoded()
    {
        var clips = Clips();
        using var service = Service(new TranslationOptions { MaxBatchSize = 1, MaxWaitMs = 0 });
        using var cancellation = new CancellationTokenSource();

        var first = service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clips[0])).Result!;
        var cancelled = service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clips[1]), cancellation.Token).Result!;
        cancellation.Cancel();
        var last = service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clips[2])).Result!;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await Task.WhenAll(first, last);
        var stats = service.Statistics;
        Assert.Equal(2, stats.Decoded);
        Assert.Equal(1, stats.Dropped);
    }

    [Fact]
    public async Task Submit_TwoCheckpointsOverBudget_LeastRecentlyUsedEvictedAndReloaded()
    {
        var clip = Clips()[0];
        long bytes;
        using (var checkpoint = SltCheckpoint.Load(fixture.Checkpoint))
            bytes = TranslationService.EstimateBytes(checkpoint);
        // Room for one model and a half: the second load evicts the first.
        using var service = Service(new TranslationOptions { MaxBatchSize = 1, MaxWaitMs = 0, CacheBudgetMb = bytes * 1.5 / (1024 * 1024) });

        var a1 = await service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!;
        var a2 = await service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!;
        Assert.Equal((1, 0), (service.Statistics.Loads, service.Statistics.Evictions));
        var b = await service.Submit(new TranslationRequest(fixture.CopyCheckpoint, 1, clip)).Result!;
        var a3 = await service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!;

        Assert.Equal((3, 2), (service.Statistics.Loads, service.Statistics.Evictions));
        Assert.Single(new[] { a1, a2, b, a3 }.Select(r => r.Hypothesis).Distinct());
    }

    [Fact]
    public async Task Submit_NotACheckpoint_FailsWithAMessageAndTheServiceStillAnswers()
    {
        var clip = Clips()[0];
        using var service = Service(new TranslationOptions { MaxBatchSize = 4, MaxWaitMs = 0 });

        var failure = await Assert.ThrowsAsync<TranslationFailedException>(() => service.Submit(new TranslationRequest(fixture.DataDir, 1, clip)).Result!);
        var ok = await service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!;

        Assert.Contains(fixture.DataDir, failure.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(ok.Hypothesis));
    }

    [Fact]
    public async Task Dispose_WithWaitingRequests_FailsThemInsteadOfHanging()
    {
        var clip = Clips()[0];
        var service = Service(new TranslationOptions { MaxBatchSize = 1, MaxWaitMs = 0 });
        var tasks = Enumerable.Range(0, 4).Select(_ => service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)).Result!).ToList();

        service.Dispose();

        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(tasks, t => t.IsFaulted && t.Exception!.InnerException is ObjectDisposedException);
        Assert.Throws<ObjectDisposedException>(() => service.Submit(new TranslationRequest(fixture.Checkpoint, 1, clip)));
    }
}

public sealed class LruBudgetCacheTests
{
    private sealed class Value(string key, List<string> disposed) : IDisposable
    {
        public string Key { get; } = key;

        public void Dispose() => disposed.Add(Key);
    }

    [Fact]
    public void Get_OverBudget_DisposesLeastRecentlyUsedFirst()
    {
        var disposed = new List<string>();
        using var cache = new LruBudgetCache<Value>(250, key => new Value(key, disposed), _ => 100);

        cache.Get("a");
        cache.Get("b");
        cache.Get("a");
        cache.Get("c");

        Assert.Equal(["b"], disposed);
        Assert.Equal(["c", "a"], cache.Keys);
        Assert.Equal(3, cache.Loads);
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void Get_SingleValueOverBudget_KeptAlone()
    {
        var disposed = new List<string>();
        using var cache = new LruBudgetCache<Value>(50, key => new Value(key, disposed), _ => 100);

        cache.Get("a");
        var b = cache.Get("b");

        Assert.Equal("b", b.Key);
        Assert.Equal(["a"], disposed);
        Assert.Equal(["b"], cache.Keys);
    }

    [Fact]
    public void Dispose_LoadedValues_AllDisposed()
    {
        var disposed = new List<string>();
        var cache = new LruBudgetCache<Value>(1000, key => new Value(key, disposed), _ => 1);
        cache.Get("a");
        cache.Get("b");

        cache.Dispose();

        Assert.Equal(["b", "a"], disposed);
    }
}
