using System.Net;
using Xunit.Abstractions;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Services.Uploads;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Translation;

/// Uploads on the real portal (Kestrel): streamed to temporary files, bytes in flight capped (503 + Retry-After
/// beyond), files deleted and bytes given back when a request ends, however it ends.
[Collection(SltCheckpointCollection.Name)]
public sealed class UploadBudgetApiTests(SltCheckpointFixture fixture, ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    private PhoenixWebFactory Portal(int maxUploadMb, int maxInFlightMb, int maxFrames) => new(new Dictionary<string, string?>
    {
        ["Phoenix:DataRoot"] = Path.Combine(fixture.Root, "data"),
        ["Phoenix:CheckpointRoot"] = fixture.CheckpointRoot,
        ["Phoenix:Database"] = Path.Combine(fixture.Root, $"portal-{Guid.NewGuid():N}.db"),
        ["Phoenix:DefaultDataset"] = "synth",
        ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
        ["Phoenix:Translation:MaxUploadBytes"] = (maxUploadMb * (long)MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Phoenix:Translation:MaxFrames"] = maxFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Phoenix:Uploads:MaxInFlightMb"] = maxInFlightMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private string CheckpointArgument => Path.GetRelativePath(fixture.CheckpointRoot, fixture.Checkpoint);

    /// A valid pair of <paramref name="frames"/> frames: the first fixture clip's frames repeated (float32).
    private (byte[] Keypoints, byte[] Siglip) Pair(int frames)
    {
        var sample = fixture.Samples[0];
        return (Tile(NpyFile.Read(sample.Keypoints), frames), Tile(NpyFile.Read(sample.Siglip), frames));
    }

    private static byte[] Tile(NpyArray source, int frames)
    {
        int row = source.Count / source.Shape[0];
        float[] data = new float[frames * row];
        for (int t = 0; t < frames; t++)
            source.Row(t % source.Shape[0]).CopyTo(data.AsSpan(t * row, row));
        return NpyFile.Encode(new NpyArray(data, [frames, .. source.Shape[1..]]));
    }

    private MultipartFormDataContent Form((byte[] Keypoints, byte[] Siglip) pair)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(CheckpointArgument), "checkpoint" },
            { new StringContent("1"), "beams" },
        };
        foreach (var (field, name, bytes) in new[] { (TranslateApi.KeypointsField, "big.kpts.npy", pair.Keypoints), (TranslateApi.SiglipField, "big.siglip.npy", pair.Siglip) })
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, field, name);
        }
        return form;
    }

    [Fact]
    public async Task Translate_EightLargeUploadsAtOnce_200Or503WithRetryAfter_LiveHeapWithinTheBudget()
    {
        // 8 uploads of 30.5 MB (7680 frames of float32: 6.9 MB keypoints + 23.6 MB SigLIP) against a 64 MiB budget.
        const int inFlightMb = 64;
        using var factory = Portal(maxUploadMb: 40, maxInFlightMb: inFlightMb, maxFrames: 8192);
        using var client = PhoenixWebFactory.ApiClient(factory.StartKestrel());
        client.Timeout = TimeSpan.FromMinutes(5);
        var large = Pair(7680);
        using (var warmUp = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), Form(Pair(4))))
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode); // the checkpoint is loaded and cached before the baseline
        long before = GC.GetTotalMemory(forceFullCollection: true);

        long peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            // Live managed memory (a full collection per sample), so garbage awaiting collection does not count.
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(20).ConfigureAwait(false);
            }
        });
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsync(new Uri("/api/translate", UriKind.Relative), Form(large))));
        await stop.CancelAsync();
        await sampler;
        long after = GC.GetTotalMemory(forceFullCollection: true);

        var statuses = responses.Select(r => r.StatusCode).ToList();
        output.WriteLine($"answers {string.Join(", ", statuses.Select(s => (int)s))}; live heap +{(peak - before) / MiB} MiB at the peak, +{(after - before) / MiB} MiB after");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answers: {string.Join(", ", statuses)}"));
        Assert.Contains(HttpStatusCode.OK, statuses);
        foreach (var busy in responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            Assert.NotNull(busy.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Phoenix:Uploads:MaxInFlightMb", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        foreach (var response in responses)
            response.Dispose();

        // Bound: at most floor(64 MiB / 30.5 MB) = 2 uploads are admitted at once, and an admitted upload holds its
        // decoded float32 arrays (the same 30.5 MB as the float32 files) plus the normalised keypoints (6.9 MB values,
        // 0.6 MB validity): 2 × 38 MB = 76 MB. The bound adds 16 MiB for the host's own allocations; uploads held in
        // memory (the earlier code: a 30.5 MB buffer and its 30.5 MB copy per request, 8 at once) would exceed it
        // several times over.
        long bound = (long)(inFlightMb * MiB * 1.25) + 16L * MiB;
        Assert.True(peak - before <= bound, $"live heap grew by {(peak - before) / MiB} MiB during the uploads, more than the {bound / MiB} MiB bound");
        // Nothing of the uploads is kept once they are answered.
        Assert.True(after - before <= 16L * MiB, $"live heap after the uploads is {(after - before) / MiB} MiB above the baseline");
        Assert.Equal(0, factory.Services.GetRequiredService<UploadBudget>().InFlightBytes);
        Assert.Empty(Directory.EnumerateFiles(factory.Services.GetRequiredService<UploadStaging>().Folder));
    }

    [Fact]
    public async Task Translate_BudgetHeldByAnUploadInProgress_503WithRetryAfterUntilItEnds()
    {
        // Budget 3 MiB, uploads of 1.6 MB: one in flight leaves too little for a second.
        using var factory = Portal(maxUploadMb: 2, maxInFlightMb: 3, maxFrames: 1024);
        using var client = PhoenixWebFactory.ApiClient(factory.StartKestrel());
        var budget = factory.Services.GetRequiredService<UploadBudget>();
        string folder = factory.Services.GetRequiredService<UploadStaging>().Folder;
        var pair = Pair(400);
        var slow = await GatedContent.Of(Form(pair), firstPart: 600_000);

        var first = client.PostAsync(new Uri("/api/translate", UriKind.Relative), slow);
        await slow.FirstPartSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually(() => Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "the upload in progress is streamed to a temporary file");
        using var refused = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), Form(pair));
        slow.Gate.SetResult();
        using var admitted = await first;
        using var retried = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), Form(pair));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("at most 3145728, Phoenix:Uploads:MaxInFlightMb", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(0, budget.InFlightBytes);
        Assert.Empty(Directory.EnumerateFiles(folder));
    }

    [Fact]
    public async Task Translate_ClientAbortsMidUpload_TemporaryFileDeletedAndBytesGivenBack()
    {
        using var factory = Portal(maxUploadMb: 2, maxInFlightMb: 3, maxFrames: 1024);
        using var client = PhoenixWebFactory.ApiClient(factory.StartKestrel());
        var budget = factory.Services.GetRequiredService<UploadBudget>();
        string folder = factory.Services.GetRequiredService<UploadStaging>().Folder;
        var slow = await GatedContent.Of(Form(Pair(400)), firstPart: 600_000);
        using var abort = new CancellationTokenSource();

        var upload = client.PostAsync(new Uri("/api/translate", UriKind.Relative), slow, abort.Token);
        await slow.FirstPartSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually(() => Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "the upload in progress is streamed to a temporary file");
        Assert.True(budget.InFlightBytes > 0);
        await abort.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        await Eventually(() => budget.InFlightBytes == 0 && !Directory.EnumerateFiles(folder).Any(), "the aborted upload's file is deleted and its bytes given back");
    }

    /// Waits for a condition the server reaches on its own threads (bounded, so a bug fails instead of hanging).
    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within 30 s: {what}");
            await Task.Delay(20);
        }
    }

    /// A request body sent in two parts: the first at once, the rest when the test opens <see cref="Gate"/>.
    private sealed class GatedContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _firstPart;

        private GatedContent(byte[] body, int firstPart, MediaTypeHeaderValue? contentType)
        {
            _body = body;
            _firstPart = firstPart;
            Headers.ContentType = contentType;
        }

        public static async Task<GatedContent> Of(HttpContent content, int firstPart)
        {
            using (content)
                return new GatedContent(await content.ReadAsByteArrayAsync(), firstPart, content.Headers.ContentType);
        }

        public TaskCompletionSource FirstPartSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(_body.AsMemory(0, _firstPart), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            FirstPartSent.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync(_body.AsMemory(_firstPart), cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
