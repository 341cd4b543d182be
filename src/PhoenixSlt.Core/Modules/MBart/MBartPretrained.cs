using PhoenixSlt.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Loads and saves mBART in the layout of a Hugging Face model folder: config.json, model.safetensors (or a
/// sharded model.safetensors.index.json), and sentencepiece.bpe.model for the tokenizer. Tensors are matched by
/// state-dict name; tied weights missing from the file are restored by sharing, as transformers does.
public static class MBartPretrained
{
    public const string ConfigFileName = "config.json";
    public const string TokenizerFileName = "sentencepiece.bpe.model";

    /// Name of the LM head weight in transformers' state dict (tied to model.shared.weight, never a separate tensor here).
    public const string LmHeadKey = "lm_head.weight";

    /// The shared token embedding (encoder and decoder embed_tokens are the same tensor).
    public const string SharedKey = "model.shared.weight";

    /// The buffer transformers accepts as missing (it stays zero).
    public const string FinalLogitsBiasKey = "final_logits_bias";

    /// Builds the model from <paramref name="folder"/>/config.json and loads the folder's weights.
    /// <see cref="CheckpointFormatException"/> names the file for a missing/corrupt config or weights, shape
    /// mismatches and (with <paramref name="strict"/>) missing or unexpected tensors.
    public static (MBartForConditionalGeneration Model, MBartLoadReport Report) Load(string folder, Device? device = null, ScalarType? dtype = null, bool strict = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new CheckpointFormatException(folder, "folder not found; give the folder holding config.json and model.safetensors");
        var config = MBartConfig.FromFile(Path.Combine(folder, ConfigFileName));
        using var weights = SafetensorsWeights.Open(folder);
        var model = new MBartForConditionalGeneration(config, device, dtype);
        try
        {
            var report = LoadWeights(model, weights, strict);
            model.eval();
            return (model, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// The folder's SentencePiece model, or null when it has none.
    public static string? FindTokenizer(string folder)
    {
        string path = Path.Combine(folder, TokenizerFileName);
        return File.Exists(path) ? path : null;
    }

    /// Copies every tensor of <paramref name="weights"/> into <paramref name="model"/> by name.
    public static MBartLoadReport LoadWeights(MBartForConditionalGeneration model, SafetensorsWeights weights, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var groups = TensorGroups(model);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var loaded = new List<string>();
        var tied = new List<string>();
        var defaulted = new List<string>();
        var missing = new List<string>();

        foreach (var (names, tensor) in groups)
        {
            string? source = names.FirstOrDefault(weights.Contains);
            if (source is null)
            {
                if (names[0] == FinalLogitsBiasKey)
                    defaulted.Add(names[0]);
                else
                    missing.Add(names[0]);
                continue;
            }
            weights.ReadInto(source, tensor);
            loaded.Add(names[0]);
            foreach (string alias in names)
            {
                if (weights.Contains(alias))
                    used.Add(alias);
                else if (alias != names[0])
                    tied.Add(alias);
            }
        }
        var unexpected = weights.Names.Where(n => !used.Contains(n)).ToList();
        var report = new MBartLoadReport(loaded, tied, defaulted, missing, unexpected);
        if (strict && !report.IsComplete)
            throw new CheckpointFormatException(weights.Source, StrictProblem(report, model.Config));
        return report;
    }

    /// Writes config.json and model.safetensors into <paramref name="folder"/> (tied copies omitted, as
    /// save_pretrained does), so that transformers' from_pretrained and <see cref="Load"/> read it back.
    public static void Save(MBartForConditionalGeneration model, string folder, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ConfigFileName), model.Config.ToJson());
        SafetensorsFile.Save(Path.Combine(folder, SafetensorsWeights.SingleFileName), StateDictForSaving(model), metadata);
    }

    /// The tensors save_pretrained would write: each distinct parameter/buffer once, under its first name.
    public static IReadOnlyList<KeyValuePair<string, Tensor>> StateDictForSaving(MBartForConditionalGeneration model)
        => TensorGroups(model).Select(g => new KeyValuePair<string, Tensor>(g.Names[0], g.Tensor)).ToList();

    /// Distinct tensors of the state dict with all their names (first = canonical). The shared embedding also
    /// answers to lm_head.weight.
    private static List<(List<string> Names, Tensor Tensor)> TensorGroups(MBartForConditionalGeneration model)
    {
        var groups = TiedTensors.Group(model);
        groups.Single(g => g.Names.Contains(SharedKey)).Names.Add(LmHeadKey);
        return groups;
    }

    private static string StrictProblem(MBartLoadReport report, MBartConfig config)
    {
        var parts = new List<string>();
        if (report.Missing.Count > 0)
            parts.Add($"{report.Missing.Count} tensor(s) the model needs are missing: {MBartLoadReport.List(report.Missing)}");
        if (report.Unexpected.Count > 0)
            parts.Add($"{report.Unexpected.Count} tensor(s) have no place in an mBART model with {config.EncoderLayers}+{config.DecoderLayers} layers: {MBartLoadReport.List(report.Unexpected)}");
        return string.Join("; ", parts) + ". Check that config.json belongs to these weights (an mBART checkpoint saved by transformers).";
    }
}
