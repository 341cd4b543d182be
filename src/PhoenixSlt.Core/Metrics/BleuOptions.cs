using System.Globalization;

namespace PhoenixSlt.Core.Metrics;

/// <summary>BLEU smoothing methods (Chen &amp; Cherry, WMT 2014), as named by sacrebleu.</summary>
public enum BleuSmoothing
{
    /// <summary><c>exp</c>: NIST geometric smoothing (method 3), sacrebleu's default.</summary>
    Exp,

    /// <summary><c>floor</c>: a zero-match precision becomes value/total (method 1; default value 0.1).</summary>
    Floor,

    /// <summary><c>add-k</c>: add value to matches and totals of orders 2–4 (method 2; default value 1).</summary>
    AddK,

    /// <summary><c>none</c>: no smoothing.</summary>
    None,
}

/// <summary>Names and defaults of <see cref="BleuSmoothing"/>.</summary>
public static class BleuSmoothings
{
    /// <summary>The names sacrebleu uses (<c>--smooth-method</c> values).</summary>
    public static IReadOnlyList<string> Names { get; } = ["exp", "floor", "add-k", "none"];

    /// <summary>The sacrebleu name of <paramref name="method"/>.</summary>
    public static string Name(this BleuSmoothing method) => method switch
    {
        BleuSmoothing.Exp => "exp",
        BleuSmoothing.Floor => "floor",
        BleuSmoothing.AddK => "add-k",
        BleuSmoothing.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown smoothing method"),
    };

    /// <summary>Parses a sacrebleu smoothing name (<c>exp</c>, <c>floor</c>, <c>add-k</c>, <c>none</c>).</summary>
    /// <exception cref="ArgumentException">The name is not a known smoothing method.</exception>
    public static BleuSmoothing Parse(string name) => name switch
    {
        "exp" => BleuSmoothing.Exp,
        "floor" => BleuSmoothing.Floor,
        "add-k" => BleuSmoothing.AddK,
        "none" => BleuSmoothing.None,
        _ => throw new ArgumentException(
            $"Unknown smoothing method '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>sacrebleu's <c>SMOOTH_DEFAULTS</c>: 0.1 for floor, 1 for add-k, none for exp and none.</summary>
    public static double? DefaultValue(this BleuSmoothing method) => method switch
    {
        BleuSmoothing.Floor => 0.1,
        BleuSmoothing.AddK => 1.0,
        _ => null,
    };
}

/// <summary>
/// The settings of sacrebleu 2.6.0's <c>BLEU(lowercase, tokenize, smooth_method, smooth_value, effective_order)</c>.
/// The defaults are <c>corpus_bleu</c>'s: 13a, exp smoothing, no lowercasing, effective order off.
/// <see cref="SentenceDefaults"/> holds <c>sentence_bleu</c>'s, which turns effective order on.
/// </summary>
public sealed record BleuOptions
{
    /// <summary>The tokenizer applied after optional lowercasing and <c>rstrip()</c>.</summary>
    public BleuTokenizer Tokenize { get; init; } = BleuTokenizer.Mteval13a;

    /// <summary>Lowercase with Python <c>str.lower()</c> semantics before tokenizing.</summary>
    public bool Lowercase { get; init; }

    /// <summary>How zero-match n-gram orders are smoothed.</summary>
    public BleuSmoothing SmoothMethod { get; init; } = BleuSmoothing.Exp;

    /// <summary>The floor or k value; <c>null</c> takes the method's default (see <see cref="BleuSmoothings.DefaultValue"/>).</summary>
    public double? SmoothValue { get; init; }

    /// <summary>Average only over n-gram orders the hypothesis has (stop at the first order with no n-grams).</summary>
    public bool UseEffectiveOrder { get; init; }

    /// <summary><c>sacrebleu.corpus_bleu</c> defaults.</summary>
    public static BleuOptions CorpusDefaults { get; } = new();

    /// <summary><c>sacrebleu.sentence_bleu</c> defaults (effective order on).</summary>
    public static BleuOptions SentenceDefaults { get; } = new() { UseEffectiveOrder = true };

    /// <summary>
    /// The smoothing value in effect: <see cref="SmoothValue"/> or the method's default for floor and add-k;
    /// always <c>null</c> for exp and none, which take no value (a given one is ignored, as in sacrebleu).
    /// </summary>
    public double? EffectiveSmoothValue => SmoothMethod.DefaultValue() is null ? null : SmoothValue ?? SmoothMethod.DefaultValue();

    /// <summary>
    /// sacrebleu's signature, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0</c>.
    /// </summary>
    /// <param name="referenceCount">References per segment, or <c>null</c> when it varies (printed <c>var</c>).</param>
    public string Signature(int? referenceCount)
    {
        string smooth = SmoothMethod.Name();
        if (EffectiveSmoothValue is double value)
            smooth += $"[{PythonFormat.Fixed(value, 2)}]";
        string nrefs = referenceCount?.ToString(CultureInfo.InvariantCulture) ?? "var";
        return $"nrefs:{nrefs}|case:{(Lowercase ? "lc" : "mixed")}|eff:{(UseEffectiveOrder ? "yes" : "no")}" +
               $"|tok:{Tokenize.Name()}|smooth:{smooth}|version:{MetricVersions.SacreBleu}";
    }
}

/// <summary>The reference implementations whose numbers these metrics reproduce.</summary>
public static class MetricVersions
{
    /// <summary>sacrebleu release matched by BLEU and chrF (used in signatures).</summary>
    public const string SacreBleu = "2.6.0";
}
