using System.Globalization;
using System.Text.Json;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Metrics;

/// <summary>One case of tests/fixtures/bleu/bleu_fixtures_a.json (sacrebleu 2.6.0 + signjoey reference values).</summary>
public sealed class BleuFixtureCase
{
    public required string Id { get; init; }
    public required string[] Hyps { get; init; }
    public required string?[][] Refs { get; init; }
    public required BleuOptions BleuOptions { get; init; }
    public required BleuOptions SentenceBleuOptions { get; init; }
    public required JsonElement Expected { get; init; }

    public IReadOnlyList<IReadOnlyList<string?>> RefStreams => Refs;

    /// <summary>The references of segment <paramref name="i"/>, one per stream (null where a stream has none).</summary>
    public string?[] SegmentRefs(int i) => [.. Refs.Select(stream => stream[i])];

    public bool HasDebug => Expected.TryGetProperty("debug", out _);

    public override string ToString() => Id;
}

/// <summary>Loads the BLEU/chrF/ROUGE-L fixture once and serves its cases by id.</summary>
public static class BleuFixture
{
    private static readonly Lazy<IReadOnlyDictionary<string, BleuFixtureCase>> Cases = new(Load);

    public static BleuFixtureCase Case(string id) => Cases.Value[id];

    public static TheoryData<string> AllCaseIds() => [.. Cases.Value.Keys];

    public static TheoryData<string> DebugCaseIds() => [.. Cases.Value.Values.Where(c => c.HasDebug).Select(c => c.Id)];

    public static double[] Doubles(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    public static long[] Longs(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt64())];

    /// <summary>Bit-exact comparison of doubles with both values printed round-trippably on failure.</summary>
    public static void Exact(double expected, double actual, string field) =>
        Assert.True(expected.Equals(actual),
            $"{field}: expected {expected.ToString("R", CultureInfo.InvariantCulture)} but got {actual.ToString("R", CultureInfo.InvariantCulture)}");

    public static void Exact(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string field)
    {
        Assert.True(expected.Count == actual.Count, $"{field}: expected {expected.Count} values but got {actual.Count}");
        for (int i = 0; i < expected.Count; i++) Exact(expected[i], actual[i], $"{field}[{i}]");
    }

    private static IReadOnlyDictionary<string, BleuFixtureCase> Load()
    {
        string path = TestPaths.Fixture("bleu", "bleu_fixtures_a.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new Dictionary<string, BleuFixtureCase>(StringComparer.Ordinal);
        foreach (JsonElement c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var fixtureCase = new BleuFixtureCase
            {
                Id = c.GetProperty("id").GetString()!,
                Hyps = [.. c.GetProperty("hyps").EnumerateArray().Select(h => h.GetString()!)],
                Refs = [.. c.GetProperty("refs").EnumerateArray().Select(s => s.EnumerateArray().Select(r => r.GetString()).ToArray())],
                BleuOptions = Options(c.GetProperty("bleu_settings")),
                SentenceBleuOptions = Options(c.GetProperty("sentence_bleu_settings")),
                Expected = c.GetProperty("expected").Clone(),
            };
            cases.Add(fixtureCase.Id, fixtureCase);
        }
        return cases;
    }

    private static BleuOptions Options(JsonElement settings) => new()
    {
        Tokenize = BleuTokenizers.Parse(settings.GetProperty("tokenize").GetString()!),
        Lowercase = settings.GetProperty("lowercase").GetBoolean(),
        SmoothMethod = BleuSmoothings.Parse(settings.GetProperty("smooth_method").GetString()!),
        SmoothValue = settings.GetProperty("smooth_value").ValueKind == JsonValueKind.Null
            ? null
            : settings.GetProperty("smooth_value").GetDouble(),
        UseEffectiveOrder = settings.GetProperty("use_effective_order").GetBoolean(),
    };
}
