using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Web.Api;
using PhoenixSlt.Web.Hubs;
using PhoenixSlt.Web.Services.Translation;
using PhoenixSlt.Web.Tests.Integration;

namespace PhoenixSlt.Web.Tests.Translation;

[Collection(SltCheckpointCollection.Name)]
public sealed class TranslateApiTests(SltCheckpointFixture fixture) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly PhoenixWebFactory _factory = new(new Dictionary<string, string?>
    {
        ["Phoenix:DataRoot"] = Path.Combine(fixture.Root, "data"),
        ["Phoenix:CheckpointRoot"] = fixture.CheckpointRoot,
        ["Phoenix:Database"] = Path.Combine(fixture.Root, $"portal-{Guid.NewGuid():N}.db"),
        ["Phoenix:DefaultDataset"] = "synth",
        ["Phoenix:FirstStart:GenerateSyntheticDataset"] = "false",
    });

    private string CheckpointArgument => Path.GetRelativePath(fixture.CheckpointRoot, fixture.Checkpoint);

    private static MultipartFormDataContent Form(string checkpoint, int beams, params (string Field, string FileName, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(checkpoint), "checkpoint" },
            { new StringContent(beams.ToString(System.Globalization.CultureInfo.InvariantCulture)), "beams" },
        };
        foreach (var (field, fileName, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, field, fileName);
        }
        return form;
    }

    [Fact]
    public async Task Translate_UploadedPairThenBadFileThenPairAgain_JsonTranslationThen400WithMessageThenServedAgain()
    {
        var sample = fixture.Samples[0];
        string expected;
        var clip = ClipReader.Read(sample.Keypoints, sample.Siglip);
        using (var checkpoint = SltCheckpoint.Load(fixture.Checkpoint))
            expected = checkpoint.Translate([clip], 2)[0];
        using var client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        byte[] kpts = await File.ReadAllBytesAsync(sample.Keypoints);
        byte[] sig = await File.ReadAllBytesAsync(sample.Siglip);

        using var ok = await client.PostAsync(new Uri("/api/translate", UriKind.Relative),
            Form(CheckpointArgument, 2, (TranslateApi.KeypointsField, "mine.kpts.npy", kpts), (TranslateApi.SiglipField, "mine.siglip.npy", sig)));
        using var bad = await client.PostAsync(new Uri("/api/translate", UriKind.Relative),
            Form(CheckpointArgument, 2, (TranslateApi.KeypointsField, "broken.npy", Encoding.ASCII.GetBytes("not numpy")), (TranslateApi.SiglipField, "mine.siglip.npy", sig)));
        using var again = await client.PostAsync(new Uri("/api/translate", UriKind.Relative),
            Form(CheckpointArgument, 2, (TranslateApi.KeypointsField, "mine.kpts.npy", kpts), (TranslateApi.SiglipField, "mine.siglip.npy", sig)));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var response = await ok.Content.ReadFromJsonAsync<TranslateResponse>(Json);
        var result = Assert.Single(response!.Translations);
        Assert.Equal(("mine", expected, clip.KeypointFrames), (result.Name, result.Hypothesis, result.Frames));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("broken.npy: not a .npy file", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(expected, Assert.Single((await again.Content.ReadFromJsonAsync<TranslateResponse>(Json))!.Translations).Hypothesis);
    }

    [Theory]
    [InlineData("keypoints all NaN", "mine.kpts.npy: keypoints have no finite joint in any of the 5 frame(s)")]
    [InlineData("unknown header key", "mine.kpts.npy: header has the key 'x', which numpy does not accept")]
    public async Task Translate_UploadNumpyOrTheModelCannotUse_400WithTheReason(string scenario, string expected)
    {
        // The two malformed uploads that used to be answered 200 (with an empty translation).
        using var client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        byte[] kpts = scenario == "keypoints all NaN"
            ? NpyBytes.Keypoints(5, float.NaN)
            : NpyBytes.Raw("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 225), 'x': 0, }", new byte[5 * 225 * 4]);
        var form = Form(CheckpointArgument, 1, (TranslateApi.KeypointsField, "mine.kpts.npy", kpts), (TranslateApi.SiglipField, "mine.siglip.npy", NpyBytes.Siglip(3)));

        using var response = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Translate_MoreFilesThanAllowed_400BeforeStoringThem()
    {
        using var client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        var files = Enumerable.Range(0, 65).Select(i => (TranslateApi.ZipField, $"z{i}.zip", new byte[] { 1 })).ToArray();

        using var response = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), Form(CheckpointArgument, 1, files));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form holds more than the 64 files accepted.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_factory.Services.GetRequiredService<PhoenixSlt.Web.Services.Uploads.UploadStaging>().Folder));
    }

    [Fact]
    public async Task Translate_CheckpointOutsideTheRoot_400NamingTheProblem()
    {
        using var client = PhoenixWebFactory.ApiClient(_factory.StartKestrel());
        var sample = fixture.Samples[0];

        using var response = await client.PostAsync(new Uri("/api/translate", UriKind.Relative),
            Form("../../etc", 1, (TranslateApi.KeypointsField, "a.npy", await File.ReadAllBytesAsync(sample.Keypoints)), (TranslateApi.SiglipField, "b.npy", await File.ReadAllBytesAsync(sample.Siglip))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("outside the checkpoint root", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Translate_ZipWithHubConnection_ResultsPushedToTheCallerAndReturned()
    {
        var baseAddress = _factory.StartKestrel();
        using var client = PhoenixWebFactory.ApiClient(baseAddress);
        await using var hub = PortalHubs.Connect(new Uri(baseAddress, TranslateHub.Route));
        var pushed = new List<TranslationResult>();
        hub.On<TranslationResult>(TranslateHub.ResultMethod, r => { lock (pushed) pushed.Add(r); });
        await hub.StartAsync();
        using var zipBuffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(zipBuffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var s in fixture.Samples.Take(3))
            {
                zip.CreateEntryFromFile(s.Keypoints, $"{s.Name}.kpts.npy");
                zip.CreateEntryFromFile(s.Siglip, $"{s.Name}.siglip.npy");
            }
        var form = Form(CheckpointArgument, 1, (TranslateApi.ZipField, "pairs.zip", zipBuffer.ToArray()));
        form.Add(new StringContent(hub.ConnectionId!), "connectionId");

        using var response = await client.PostAsync(new Uri("/api/translate", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var translations = (await response.Content.ReadFromJsonAsync<TranslateResponse>(Json))!.Translations;
        Assert.Equal(fixture.Samples.Take(3).Select(s => s.Name).Order(StringComparer.Ordinal), translations.Select(t => t.Name));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && pushed.Count < 3)
            await Task.Delay(50);
        lock (pushed)
            Assert.Equal(translations.Select(t => (t.Name, t.Hypothesis)).Order(), pushed.Select(t => (t.Name, t.Hypothesis)).Order());
    }

    public void Dispose() => _factory.Dispose();
}
