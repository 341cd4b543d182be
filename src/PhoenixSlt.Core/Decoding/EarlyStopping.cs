using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhoenixSlt.Core.Decoding;

/// When beam search stops working on a sentence (transformers' <c>early_stopping</c>: false, true or "never").
public enum EarlyStopping
{
    /// <c>false</c>: once num_beams hypotheses are finished, stop when the best running beam, length-normalised
    /// with the current length, cannot beat the worst finished hypothesis (a heuristic).
    Heuristic,

    /// <c>true</c>: stop as soon as num_beams hypotheses are finished.
    OnBeamsFinished,

    /// <c>"never"</c>: stop only when no running beam can beat the worst finished hypothesis (canonical beam search).
    Never,
}

/// Reads and writes <see cref="EarlyStopping"/> as Hugging Face's generation_config.json does: <c>true</c>,
/// <c>false</c> or <c>"never"</c> (null reads as false).
public sealed class EarlyStoppingJsonConverter : JsonConverter<EarlyStopping>
{
    public override EarlyStopping Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => EarlyStopping.OnBeamsFinished,
        JsonTokenType.False or JsonTokenType.Null => EarlyStopping.Heuristic,
        JsonTokenType.String when reader.GetString() == "never" => EarlyStopping.Never,
        _ => throw new JsonException("early_stopping must be true, false or \"never\""),
    };

    public override void Write(Utf8JsonWriter writer, EarlyStopping value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case EarlyStopping.OnBeamsFinished: writer.WriteBooleanValue(true); break;
            case EarlyStopping.Never: writer.WriteStringValue("never"); break;
            default: writer.WriteBooleanValue(false); break;
        }
    }
}

/// Reads a token id field that Hugging Face allows to be one id or a list of ids (eos_token_id,
/// forced_eos_token_id); writes one id as a number and several as a list.
public sealed class TokenIdListJsonConverter : JsonConverter<IReadOnlyList<int>?>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<int>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return [reader.GetInt32()];
            case JsonTokenType.StartArray:
                var ids = new List<int>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number)
                        throw new JsonException("a token id list must hold integers");
                    ids.Add(reader.GetInt32());
                }
                return ids;
            default:
                throw new JsonException("a token id must be an integer or a list of integers");
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int>? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        if (value.Count == 1)
        {
            writer.WriteNumberValue(value[0]);
            return;
        }
        writer.WriteStartArray();
        foreach (int id in value)
            writer.WriteNumberValue(id);
        writer.WriteEndArray();
    }
}
