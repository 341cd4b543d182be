using System.Text.Json;
using System.Text.Json.Serialization;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Text;

/// An mBART SentencePiece tokenizer restricted to a trimmed vocabulary (<see cref="VocabularyTrimPlan"/>): text is
/// encoded by the original <see cref="MBartTokenizer"/> and its ids mapped to the kept ids (ids trimmed away become
/// &lt;unk&gt;); decoding maps back. The layout stays [specials 0..3, kept pieces, kept language codes, &lt;mask&gt;].
/// Saved as the original sentencepiece.bpe.model plus <see cref="MappingFileName"/> (the kept original ids).
public sealed class TrimmedTokenizer : SltTokenizerBase
{
    /// The mapping file written beside sentencepiece.bpe.model.
    public const string MappingFileName = "vocab_trim.json";
    public const string TypeName = "phoenix-slt-trimmed-vocab";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private TrimmedTokenizer(MBartTokenizer original, VocabularyTrimPlan plan, IReadOnlyList<string> languages, string defaultLanguage)
        : base(plan.KeptIds.Count(id => id < original.FirstLanguageId), languages, defaultLanguage)
    {
        Original = original;
        Plan = plan;
    }

    public override string Kind => "sentencepiece-trimmed";

    /// The untrimmed tokenizer (original ids).
    public MBartTokenizer Original { get; }

    /// Kept original ids; new id i is <c>Plan.KeptIds[i]</c>.
    public VocabularyTrimPlan Plan { get; }

    /// Restricts <paramref name="original"/> to <paramref name="plan"/>, which must be a plan over its ids that keeps
    /// &lt;mask&gt; and at least one language code. <paramref name="defaultLanguage"/> defaults to the original's
    /// when kept, else the first kept language.
    public static TrimmedTokenizer Create(MBartTokenizer original, VocabularyTrimPlan plan, string? defaultLanguage = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(plan);
        string? problem = PlanProblem(original, plan);
        if (problem is not null)
            throw new ArgumentException(problem, nameof(plan));
        var languages = KeptLanguages(original, plan);
        return new TrimmedTokenizer(original, plan, languages, ChooseDefault(original, languages, defaultLanguage));
    }

    /// Loads a trimmed tokenizer from a folder (holding <see cref="MappingFileName"/>) or the mapping file itself;
    /// the SentencePiece model is the file the mapping names, next to it. <see cref="PhoenixDataException"/> naming
    /// the file when something is missing or inconsistent.
    public static TrimmedTokenizer Load(string path, string? defaultLanguage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            path = Path.Combine(path, MappingFileName);
        if (!File.Exists(path))
            throw new PhoenixDataException(path, $"trimmed-vocabulary mapping not found; a trimmed mBART folder holds {MappingFileName} beside {MBartTokenizer.ModelFileName}");
        MappingFile file = ReadMapping(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var original = MBartTokenizer.Load(Path.Combine(folder, file.BaseTokenizer));
        VocabularyTrimPlan plan;
        try
        {
            plan = VocabularyTrimPlan.FromKeptIds(file.KeptIds, file.OriginalVocabSize);
        }
        catch (ArgumentException e)
        {
            throw new PhoenixDataException(path, $"kept_ids are not valid: {e.Message}", e);
        }
        string? problem = MappingProblem(file, plan) ?? PlanProblem(original, plan);
        if (problem is not null)
            throw new PhoenixDataException(path, problem + "; trim the model again with `phoenix-slt mbart trim`");
        var languages = KeptLanguages(original, plan);
        string language = defaultLanguage ?? file.DefaultLanguage;
        if (!languages.Contains(language, StringComparer.Ordinal))
            throw new PhoenixDataException(path, $"language '{language}' was trimmed away; kept language codes: {string.Join(", ", languages)}");
        return new TrimmedTokenizer(original, plan, languages, language);
    }

    /// Writes sentencepiece.bpe.model and vocab_trim.json; returns the path of vocab_trim.json.
    public override string SaveTo(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string model = Original.SaveTo(directory);
        var file = new MappingFile(TypeName, FormatVersion, Path.GetFileName(model), Plan.OriginalVocabSize, Plan.VocabSize,
            DefaultLanguage, [.. Plan.KeptIds]);
        string path = Path.Combine(directory, MappingFileName);
        File.WriteAllText(path, JsonSerializer.Serialize(file, JsonOptions));
        return path;
    }

    /// Id in the trimmed vocabulary of an original id (&lt;unk&gt; when trimmed away).
    public int FromOriginalId(int originalId) => Plan.NewIdOrUnknown(originalId);

    /// Original id of a trimmed id.
    public int ToOriginalId(int id) => Plan.OriginalId(id);

    protected override void AppendTextIds(string text, List<int> ids)
    {
        var original = Original.Encode(text, Original.DefaultLanguage);
        for (int i = 0; i < original.Count - 2; i++) // drop the [</s>, language] suffix
            ids.Add(Plan.NewIdOrUnknown(original[i]));
    }

    protected override string PieceToken(int id) => Original.IdToToken(Plan.OriginalId(id));

    protected override string JoinTokens(IReadOnlyList<string> tokens)
    {
        string text = string.Concat(tokens).Replace(SentencePieceTextNormalizer.SpaceSymbol, ' ').Trim();
        return TokenizationCleanup.Apply(text);
    }

    private static List<string> KeptLanguages(MBartTokenizer original, VocabularyTrimPlan plan)
        => [.. original.LanguageCodes.Where(code => plan.Keeps(original.LanguageId(code)))];

    private static string ChooseDefault(MBartTokenizer original, List<string> languages, string? requested)
    {
        if (requested is not null)
            return languages.Contains(requested, StringComparer.Ordinal) ? requested
                : throw new ArgumentException($"language '{requested}' is not kept by the trim; kept: {string.Join(", ", languages)}", nameof(requested));
        return languages.Contains(original.DefaultLanguage, StringComparer.Ordinal) ? original.DefaultLanguage : languages[0];
    }

    private static string? PlanProblem(MBartTokenizer original, VocabularyTrimPlan plan)
    {
        if (plan.OriginalVocabSize != original.VocabSize)
            return $"the trim was made for a vocabulary of {plan.OriginalVocabSize} ids but {MBartTokenizer.ModelFileName} has {original.VocabSize}";
        if (!plan.Keeps(original.MaskId))
            return "the trim must keep <mask>";
        if (!original.LanguageCodes.Any(code => plan.Keeps(original.LanguageId(code))))
            return "the trim must keep at least one language code (de_DE)";
        return null;
    }

    private static string? MappingProblem(MappingFile file, VocabularyTrimPlan plan)
    {
        if (file.KeptIds.Count != plan.VocabSize || !file.KeptIds.SequenceEqual(plan.KeptIds))
            return "kept_ids must be strictly ascending, start with the specials 0, 1, 2, 3 and list each id once";
        if (file.VocabSize != plan.VocabSize)
            return $"vocab_size {file.VocabSize} does not match the {plan.VocabSize} kept_ids";
        return null;
    }

    private static MappingFile ReadMapping(string path)
    {
        MappingFile? file;
        try
        {
            file = JsonSerializer.Deserialize<MappingFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new PhoenixDataException(path, $"not a valid trimmed-vocabulary mapping ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(path, $"cannot read the trimmed-vocabulary mapping: {e.Message}", e);
        }
        if (file is null || file.Type != TypeName)
            throw new PhoenixDataException(path, $"not a trimmed-vocabulary mapping (expected \"type\": \"{TypeName}\")");
        if (file.FormatVersion > FormatVersion)
            throw new PhoenixDataException(path, $"format_version {file.FormatVersion} is newer than this program understands ({FormatVersion}); update phoenix-slt");
        if (string.IsNullOrEmpty(file.BaseTokenizer) || Path.GetFileName(file.BaseTokenizer) != file.BaseTokenizer)
            throw new PhoenixDataException(path, "base_tokenizer must name the SentencePiece model file next to the mapping");
        if (file.KeptIds is null || string.IsNullOrEmpty(file.DefaultLanguage))
            throw new PhoenixDataException(path, "kept_ids and default_language are required");
        return file;
    }

    private sealed record MappingFile(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("format_version")] int FormatVersion,
        [property: JsonPropertyName("base_tokenizer")] string BaseTokenizer,
        [property: JsonPropertyName("original_vocab_size")] int OriginalVocabSize,
        [property: JsonPropertyName("vocab_size")] int VocabSize,
        [property: JsonPropertyName("default_language")] string DefaultLanguage,
        [property: JsonPropertyName("kept_ids")] IReadOnlyList<int> KeptIds);
}
