namespace PhoenixSlt.Core.Modules.MBart;

/// What happened while loading mBART weights by Hugging Face state-dict name.
/// <param name="Loaded">Model tensors filled from the file (canonical names).</param>
/// <param name="TiedAliases">Tied names absent from the file and restored by sharing (lm_head.weight,
/// model.encoder.embed_tokens.weight, model.decoder.embed_tokens.weight), as save_pretrained omits them.</param>
/// <param name="Defaulted">Buffers absent from the file that keep their zero default (final_logits_bias,
/// which transformers also tolerates as missing).</param>
/// <param name="Missing">Model tensors the file lacks (left at their initial values; only without strict).</param>
/// <param name="Unexpected">File tensors the model has no place for (ignored; only without strict).</param>
public sealed record MBartLoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> TiedAliases,
    IReadOnlyList<string> Defaulted,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected)
{
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0;

    /// One line for logs, e.g. "loaded 96 tensors; tied: lm_head.weight, …; missing: none; unexpected: none".
    public string Summary =>
        $"loaded {Loaded.Count} tensors; tied: {List(TiedAliases)}; defaulted: {List(Defaulted)}; missing: {List(Missing)}; unexpected: {List(Unexpected)}";

    internal static string List(IReadOnlyList<string> names, int max = 8)
        => names.Count == 0 ? "none" : string.Join(", ", names.Take(max)) + (names.Count > max ? $", … ({names.Count} in all)" : "");
}
