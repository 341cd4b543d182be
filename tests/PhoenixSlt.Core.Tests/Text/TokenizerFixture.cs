using System.Text.Json;
using System.Text.Json.Serialization;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Tests;

namespace PhoenixSlt.Core.Tests.Text;

/// tests/fixtures/mbart-tiny: transformers 4.40.2 slow MBartTokenizer outputs on the tiny SentencePiece model.
public static class TokenizerFixture
{
    public static string ModelPath => TestPaths.Fixture("mbart-tiny", "sentencepiece.bpe.model");

    public static TokenizerCases Cases { get; } = LoadCases();

    private static readonly Lazy<MBartTokenizer> SharedTokenizer = new(() => MBartTokenizer.Load(ModelPath));

    /// One tokenizer for all tests (the class is immutable).
    public static MBartTokenizer Tokenizer => SharedTokenizer.Value;

    private static TokenizerCases LoadCases()
    {
        string json = File.ReadAllText(TestPaths.Fixture("mbart-tiny", "tokenizer_cases.json"));
        return JsonSerializer.Deserialize<TokenizerCases>(json)
            ?? throw new InvalidDataException("tokenizer_cases.json is empty");
    }
}

public sealed record TokenizerCases(
    [property: JsonPropertyName("len_tokenizer")] int LenTokenizer,
    [property: JsonPropertyName("sp_model_pieces")] int SpModelPieces,
    [property: JsonPropertyName("fairseq_offset")] int FairseqOffset,
    [property: JsonPropertyName("special_ids")] Dictionary<string, int> SpecialIds,
    [property: JsonPropertyName("lang_code_to_id")] Dictionary<string, int> LangCodeToId,
    [property: JsonPropertyName("all_special_ids")] int[] AllSpecialIds,
    [property: JsonPropertyName("cases")] TokenizerCase[] Items);

public sealed record TokenizerCase(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("input_ids")] int[] InputIds,
    [property: JsonPropertyName("tokens")] string[] Tokens,
    [property: JsonPropertyName("decoded")] string Decoded,
    [property: JsonPropertyName("decoded_no_cleanup")] string DecodedNoCleanup,
    [property: JsonPropertyName("decoded_with_special")] string DecodedWithSpecial,
    [property: JsonPropertyName("text_target_ids")] int[] TextTargetIds);
