using System.Text.Json.Nodes;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Checkpoints;

/// Shrinks an mBART model to the tokens of a training corpus, as GFSLT-VLP does to fit mbart-large-cc25 in GPU
/// memory: rows of the shared embedding (= encoder/decoder embed_tokens = LM head) and columns of
/// final_logits_bias are selected by a <see cref="VocabularyTrimPlan"/>, vocab_size and the config's token ids
/// are renumbered, and a <see cref="TrimmedTokenizer"/> maps text to the new ids. Every kept token's embedding and
/// bias are unchanged, so the trimmed model's logits are the original logits at the kept ids.
public static class VocabularyTrimmer
{
    /// Tensors whose rows are indexed by token id (all the same tied matrix in mBART).
    public static IReadOnlyList<string> VocabularyRowTensors { get; } =
        [MBartPretrained.SharedKey, "model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight", MBartPretrained.LmHeadKey];

    /// Token-id entries of config.json and generation_config.json renumbered by trimming (and always kept).
    public static IReadOnlyList<string> TokenIdKeys { get; } =
        ["bos_token_id", "pad_token_id", "eos_token_id", "forced_eos_token_id", "forced_bos_token_id", "decoder_start_token_id"];

    /// <paramref name="config"/> with the trimmed vocabulary size and its token ids renumbered;
    /// <see cref="ArgumentException"/> when the plan dropped one of them.
    public static MBartConfig TrimConfig(MBartConfig config, VocabularyTrimPlan plan)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plan);
        CheckPlanFits(plan, config.VocabSize);
        return config with
        {
            VocabSize = plan.VocabSize,
            BosTokenId = plan.NewId(config.BosTokenId),
            PadTokenId = plan.NewId(config.PadTokenId),
            EosTokenId = plan.NewId(config.EosTokenId),
            ForcedEosTokenId = config.ForcedEosTokenId is int forced ? plan.NewId(forced) : null,
            DecoderStartTokenId = config.DecoderStartTokenId is int start ? plan.NewId(start) : null,
        };
    }

    /// A new model (same device, dtype and train/eval mode) holding the kept rows of the vocabulary tensors and
    /// copies of every other tensor. The caller owns (disposes) it.
    public static MBartForConditionalGeneration TrimModel(MBartForConditionalGeneration model, VocabularyTrimPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = TrimConfig(model.Config, plan);
        // Built outside any dispose scope: its parameters must outlive this call.
        var trimmed = new MBartForConditionalGeneration(config, model.Device, model.FinalLogitsBias.dtype);
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var source = model.state_dict();
            foreach (var (name, target) in trimmed.state_dict())
                target.copy_(TrimTensor(name, source[name], plan, model.Config.VocabSize, "model"));
            trimmed.train(model.training);
            return trimmed;
        }
        catch
        {
            trimmed.Dispose();
            throw;
        }
    }

    /// The trimmed version of one state-dict tensor: vocabulary rows / final_logits_bias columns selected, anything
    /// else returned as is. <see cref="CheckpointFormatException"/> naming <paramref name="source"/> when a
    /// vocabulary tensor does not have <paramref name="vocabSize"/> rows (columns).
    public static Tensor TrimTensor(string name, Tensor tensor, VocabularyTrimPlan plan, int vocabSize, string source)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(plan);
        int dim;
        if (VocabularyRowTensors.Contains(name))
            dim = 0;
        else if (name == MBartPretrained.FinalLogitsBiasKey)
            dim = 1;
        else
            return tensor;
        if (tensor.dim() != 2 || tensor.shape[dim] != vocabSize)
            throw new CheckpointFormatException(source,
                $"tensor '{name}' has shape [{string.Join(", ", tensor.shape)}] but the vocabulary has {vocabSize} ids (expected {(dim == 0 ? $"[{vocabSize}, d_model]" : $"[1, {vocabSize}]")})");
        using var index = torch.tensor(plan.KeptIds.Select(id => (long)id).ToArray(), ScalarType.Int64, tensor.device);
        return tensor.index_select(dim, index);
    }

    /// Trims the Hugging Face mBART folder <paramref name="modelFolder"/> (config.json, model.safetensors or shards,
    /// sentencepiece.bpe.model, optional generation_config.json) to <paramref name="sentences"/> and writes
    /// <paramref name="outputFolder"/> atomically: model.safetensors (same dtype), config.json and
    /// generation_config.json with vocab_size and token ids renumbered (other keys kept), sentencepiece.bpe.model +
    /// vocab_trim.json and checkpoint.json (phase mbart, parent = the source folder). The result loads with
    /// <see cref="MBartPretrained.Load"/> and <see cref="CheckpointTokenizer.Load"/>.
    /// <exception cref="CheckpointFormatException">The source folder is not a usable mBART folder.</exception>
    /// <exception cref="CheckpointExistsException">The output exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="ArgumentException">Unknown language code, or the output folder is the source folder.</exception>
    public static VocabularyTrimReport TrimFolder(string modelFolder, IEnumerable<string> sentences, string outputFolder,
        IEnumerable<string>? languages = null, bool overwrite = false, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelFolder);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        string source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelFolder));
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputFolder));
        if (!Directory.Exists(source))
            throw new CheckpointFormatException(source, "model folder not found; give the mBART folder holding config.json, model.safetensors and sentencepiece.bpe.model");
        if (string.Equals(source, output, StringComparison.Ordinal))
            throw new ArgumentException($"{output}: the output folder must differ from the model folder", nameof(outputFolder));
        if (File.Exists(Path.Combine(source, TrimmedTokenizer.MappingFileName)))
            throw new CheckpointFormatException(source, $"this model is already trimmed ({TrimmedTokenizer.MappingFileName}); trim the original, untrimmed model instead");
        if (!overwrite && (Directory.Exists(output) || File.Exists(output)))
            throw new CheckpointExistsException(output);

        string configPath = Path.Combine(source, MBartPretrained.ConfigFileName);
        var config = MBartConfig.FromFile(configPath);
        var configJson = ReadJsonObject(configPath);
        string generationPath = Path.Combine(source, GenerationConfig.FileName);
        var generationJson = File.Exists(generationPath) ? ReadJsonObject(generationPath) : null;
        var tokenizer = MBartTokenizer.Load(MBartPretrained.FindTokenizer(source)
            ?? throw new CheckpointFormatException(source, $"no {MBartPretrained.TokenizerFileName}: trimming needs the SentencePiece model the checkpoint was trained with"));
        if (tokenizer.VocabSize != config.VocabSize)
            throw new CheckpointFormatException(configPath, $"vocab_size {config.VocabSize} does not match the {tokenizer.VocabSize} ids of {MBartPretrained.TokenizerFileName}; the tokenizer does not belong to this model");

        var (corpusIds, sentenceCount, unknown) = CorpusIds(tokenizer, sentences);
        var extraIds = corpusIds.Concat(TokenIds(configJson)).Concat(generationJson is null ? [] : TokenIds(generationJson));
        var plan = VocabularyTrimPlan.Build(tokenizer, [], languages, extraIds);
        var trimmedTokenizer = TrimmedTokenizer.Create(tokenizer, plan);
        var trimmedConfig = TrimConfig(config, plan);

        long originalParameters = 0, trimmedParameters = 0;
        using (var weights = SafetensorsWeights.Open(source))
        {
            output = CheckpointFolder.WriteAtomically(output, temp =>
            {
                (originalParameters, trimmedParameters) = WriteTrimmedWeights(weights, plan, config, Path.Combine(temp, SafetensorsWeights.SingleFileName));
                WriteJson(Path.Combine(temp, MBartPretrained.ConfigFileName), Renumber(configJson, plan, setVocabSize: true));
                if (generationJson is not null)
                    WriteJson(Path.Combine(temp, GenerationConfig.FileName), Renumber(generationJson, plan, setVocabSize: false));
                string mapping = trimmedTokenizer.SaveTo(temp);
                var metadata = CheckpointMetadata.Create(CheckpointPhase.MBart, trimmedConfig) with
                {
                    TokenizerFile = Path.GetFileName(mapping),
                    ParentCheckpoint = source,
                    CreatedUtc = (time ?? TimeProvider.System).GetUtcNow(),
                };
                metadata.Save(temp);
            }, overwrite);
        }
        return new VocabularyTrimReport(output, plan.OriginalVocabSize, plan.VocabSize,
            trimmedTokenizer.FirstLanguageId - SpecialTokens.LeadingCount, trimmedTokenizer.LanguageCodes,
            originalParameters, trimmedParameters, sentenceCount, unknown);
    }

    private static void CheckPlanFits(VocabularyTrimPlan plan, int vocabSize)
    {
        if (plan.OriginalVocabSize != vocabSize)
            throw new ArgumentException($"the trim plan is for a vocabulary of {plan.OriginalVocabSize} ids but the model has {vocabSize}", nameof(plan));
    }

    private static (HashSet<int> Ids, int Sentences, int Unknown) CorpusIds(ISltTokenizer tokenizer, IEnumerable<string> sentences)
    {
        var ids = new HashSet<int>();
        int count = 0, unknown = 0;
        foreach (string sentence in sentences)
        {
            var encoded = tokenizer.Encode(sentence, SpecialTokens.DefaultLanguage);
            ids.UnionWith(encoded);
            unknown += encoded.Count(id => id == tokenizer.UnkId);
            count++;
        }
        return (ids, count, unknown);
    }

    /// Streams the source tensors through <see cref="TrimTensor"/> into <paramref name="path"/>; returns the
    /// parameter counts before/after (the tied vocabulary matrix once, final_logits_bias excluded as a buffer).
    private static (long Original, long Trimmed) WriteTrimmedWeights(SafetensorsWeights weights, VocabularyTrimPlan plan, MBartConfig config, string path)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        long shared = 0, trimmedShared = 0, others = 0;
        foreach (string name in weights.Names)
        {
            var tensor = weights.Read(name);
            long count = tensor.numel();
            var trimmed = TrimTensor(name, tensor, plan, config.VocabSize, weights.FileOf(name));
            if (!ReferenceEquals(trimmed, tensor))
                tensor.Dispose(); // keep peak memory near the size of the trimmed model
            tensors.Add(new(name, trimmed));
            if (VocabularyRowTensors.Contains(name))
                (shared, trimmedShared) = (count, trimmed.numel());
            else if (name != MBartPretrained.FinalLogitsBiasKey)
                others += count;
        }
        if (shared == 0)
            throw new CheckpointFormatException(weights.Source, $"no token embedding found ({MBartPretrained.SharedKey}); is this an mBART checkpoint?");
        SafetensorsFile.Save(path, tensors);
        return (others + shared, others + trimmedShared);
    }

    private static JsonObject ReadJsonObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CheckpointFormatException(path, "expected a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON ({e.Message})", e);
        }
    }

    private static void WriteJson(string path, JsonObject json)
        => File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    /// Every integer under the token-id keys (single ids or lists).
    private static IEnumerable<int> TokenIds(JsonObject json)
    {
        foreach (string key in TokenIdKeys)
        {
            switch (json[key])
            {
                case JsonValue value when value.TryGetValue<int>(out int id):
                    yield return id;
                    break;
                case JsonArray array:
                    foreach (var item in array)
                        if (item is JsonValue v && v.TryGetValue<int>(out int listed))
                            yield return listed;
                    break;
            }
        }
    }

    private static JsonObject Renumber(JsonObject json, VocabularyTrimPlan plan, bool setVocabSize)
    {
        var copy = (JsonObject)json.DeepClone();
        foreach (string key in TokenIdKeys)
        {
            switch (copy[key])
            {
                case JsonValue value when value.TryGetValue<int>(out int id):
                    copy[key] = plan.NewId(id);
                    break;
                case JsonArray array:
                    copy[key] = new JsonArray([.. array.Select(item => item is JsonValue v && v.TryGetValue<int>(out int listed) ? JsonValue.Create(plan.NewId(listed)) : item?.DeepClone())]);
                    break;
            }
        }
        if (setVocabSize)
            copy["vocab_size"] = plan.VocabSize;
        return copy;
    }
}
