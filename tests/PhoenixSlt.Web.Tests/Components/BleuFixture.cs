using System.Text.Json;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Web.Tests.Components;

/// One case of tests/fixtures/bleu/bleu_fixtures_a.json (values produced by sacrebleu 2.6.0 and signjoey).
public sealed record BleuFixtureCase(
    string Id,
    IReadOnlyList<string> Hypotheses,
    IReadOnlyList<IReadOnlyList<string>> References,
    JsonElement Expected)
{
    public static BleuFixtureCase Load(string id)
    {
        using FileStream stream = File.OpenRead(TestPaths.Fixture("bleu", "bleu_fixtures_a.json"));
        using JsonDocument document = JsonDocument.Parse(stream);
        JsonElement found = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == id);
        return new BleuFixtureCase(
            id,
            [.. found.GetProperty("hyps").EnumerateArray().Select(h => h.GetString()!)],
            [.. found.GetProperty("refs").EnumerateArray().Select(s => (IReadOnlyList<string>)[.. s.EnumerateArray().Select(r => r.GetString()!)])],
            found.GetProperty("expected").Clone());
    }

    public double Number(params string[] path)
    {
        JsonElement e = Expected;
        foreach (string p in path)
            e = e.GetProperty(p);
        return e.GetDouble();
    }
}
