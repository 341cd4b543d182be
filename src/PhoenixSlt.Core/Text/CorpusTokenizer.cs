using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Text;

/// Options for building a <see cref="CorpusTokenizer"/> from training sentences.
public sealed record CorpusTokenizerOptions
{
    /// Words seen fewer times are left out of the vocabulary (they encode to &lt;unk&gt;).
    public int MinFrequency { get; init; } = 1;

    /// Lowercase text before splitting (PHOENIX-2014-T translations are lowercase).
    public bool Lowercase { get; init; } = true;

    /// Keep at most this many words (the most frequent); null keeps all.
    public int? MaxWords { get; init; }

    /// Language appended to sequences when the caller names none.
    public string DefaultLanguage { get; init; } = SpecialTokens.DefaultLanguage;
}

/// A word-level vocabulary built from training sentences, for corpora without a pretrained mBART.
/// Same id layout as <see cref="MBartTokenizer"/>: &lt;s&gt;=0 &lt;pad&gt;=1 &lt;/s&gt;=2 &lt;unk&gt;=3, the words
/// (most frequent first, ties in ordinal order), the 25 mBART language codes, &lt;mask&gt;; sequences end with
/// [&lt;/s&gt;, language]. Text is NFKC-normalised, optionally lowercased, split on whitespace, and punctuation at
/// the start or end of a word becomes its own token ("regen." → "regen", "."), so PHOENIX text (already
/// space-separated) splits exactly on its spaces. Decoding joins tokens with single spaces.
/// Saved as JSON (<see cref="FileName"/>) beside checkpoints.
public sealed class CorpusTokenizer : SltTokenizerBase
{
    public const string FileName = "tokenizer.json";
    public const string TypeName = "phoenix-slt-corpus-words";
    public const int FormatVersion = 1;

    private readonly string[] _words;
    private readonly Dictionary<string, int> _wordIds;

    private CorpusTokenizer(IReadOnlyList<string> words, IReadOnlyList<string> languageCodes, bool lowercase,
        int minFrequency, string defaultLanguage)
        : base(SpecialTokens.LeadingCount + words.Count, languageCodes, defaultLanguage)
    {
        _words = [.. words];
        _wordIds = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
            if (!_wordIds.TryAdd(_words[i], SpecialTokens.LeadingCount + i))
                throw new ArgumentException($"word '{_words[i]}' is listed twice", nameof(words));
        Lowercase = lowercase;
        MinFrequency = minFrequency;
    }

    public override string Kind => "corpus-words";

    /// The vocabulary words in id order (word i has id 4 + i).
    public IReadOnlyList<string> Words => _words;

    public bool Lowercase { get; }

    /// The minimum frequency the vocabulary was built with (informational).
    public int MinFrequency { get; }

    /// Builds the vocabulary from training sentences.
    public static CorpusTokenizer Build(IEnumerable<string> sentences, CorpusTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        options ??= new CorpusTokenizerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinFrequency, 1, nameof(options));
        if (options.MaxWords is int max)
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(options));

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var reserved = ReservedTokens();
        var literals = new SpecialTokenSplitter(reserved.ToDictionary(t => t, _ => 0), [SpecialTokens.Mask]);
        foreach (string sentence in sentences)
            foreach (var segment in literals.Split(sentence ?? ""))
                if (!segment.IsSpecial)
                    foreach (string word in SplitWords(segment.Text, options.Lowercase))
                        if (!reserved.Contains(word))
                            counts[word] = counts.GetValueOrDefault(word) + 1;

        var words = counts
            .Where(kv => kv.Value >= options.MinFrequency)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key)
            .Take(options.MaxWords ?? int.MaxValue)
            .ToList();
        return new CorpusTokenizer(words, SpecialTokens.FairseqLanguageCodes, options.Lowercase,
            options.MinFrequency, options.DefaultLanguage);
    }

    /// Splits text into the tokens the vocabulary is made of (see the class summary).
    public static IReadOnlyList<string> SplitWords(string text, bool lowercase)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = text.Normalize(NormalizationForm.FormKC);
        if (lowercase)
            normalized = normalized.ToLowerInvariant();
        var tokens = new List<string>();
        foreach (string word in normalized.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            AddWordWithPunctuation(word, tokens);
        return tokens;
    }

    /// Reads a vocabulary written by <see cref="Save"/> (a file, or a folder holding <see cref="FileName"/>);
    /// <paramref name="defaultLanguage"/> replaces the saved default language when given.
    /// Throws <see cref="PhoenixDataException"/> naming the file when it is missing or malformed.
    public static CorpusTokenizer Load(string path, string? defaultLanguage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            path = Path.Combine(path, FileName);
        if (!File.Exists(path))
            throw new PhoenixDataException(path,
                $"vocabulary file not found; build one from the training corpus (it is saved as {FileName})");
        CorpusTokenizerFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CorpusTokenizerFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new PhoenixDataException(path, $"not valid JSON ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhoenixDataException(path, $"cannot read the vocabulary file: {e.Message}", e);
        }
        return FromFile(file, path, defaultLanguage);
    }

    /// Writes the vocabulary as JSON to <paramref name="path"/>.
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        var file = new CorpusTokenizerFile(TypeName, FormatVersion, Lowercase, MinFrequency, DefaultLanguage,
            [.. LanguageCodes], _words);
        File.WriteAllText(path, JsonSerializer.Serialize(file, JsonOptions));
    }

    public override string SaveTo(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        Save(path);
        return path;
    }

    protected override void AppendTextIds(string text, List<int> ids)
    {
        foreach (string word in SplitWords(text, Lowercase))
            ids.Add(_wordIds.TryGetValue(word, out int id) ? id : UnkId);
    }

    protected override string PieceToken(int id) => _words[id - SpecialTokens.LeadingCount];

    protected override string JoinTokens(IReadOnlyList<string> tokens) => string.Join(' ', tokens);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static HashSet<string> ReservedTokens() =>
        [.. SpecialTokens.Leading, .. SpecialTokens.FairseqLanguageCodes, SpecialTokens.Mask];

    private static void AddWordWithPunctuation(string word, List<string> tokens)
    {
        int start = 0, end = word.Length;
        while (start < end && IsPunctuation(word, start))
            tokens.Add(word.Substring(start++, 1));
        int trailingStart = end;
        while (trailingStart > start && IsPunctuation(word, trailingStart - 1))
            trailingStart--;
        if (trailingStart > start)
            tokens.Add(word[start..trailingStart]);
        for (int i = trailingStart; i < end; i++)
            tokens.Add(word.Substring(i, 1));
    }

    private static bool IsPunctuation(string word, int index) => char.IsPunctuation(word[index]);

    private static CorpusTokenizer FromFile(CorpusTokenizerFile? file, string path, string? defaultLanguage)
    {
        if (file is null)
            throw new PhoenixDataException(path, "the file is empty (expected a vocabulary JSON object)");
        if (file.Type != TypeName)
            throw new PhoenixDataException(path,
                $"\"type\" is '{file.Type}', expected '{TypeName}'; this is not a vocabulary written by phoenix-slt " +
                $"(for a pretrained mBART use its {MBartTokenizer.ModelFileName})");
        if (file.Version != FormatVersion)
            throw new PhoenixDataException(path, $"format version {file.Version} is not supported (expected {FormatVersion})");
        if (file.Words is null || file.LanguageCodes is null)
            throw new PhoenixDataException(path, "\"words\" and \"language_codes\" are required");
        var reserved = ReservedTokens();
        for (int i = 0; i < file.Words.Length; i++)
        {
            string? word = file.Words[i];
            if (string.IsNullOrWhiteSpace(word))
                throw new PhoenixDataException(path, $"word {i} is empty");
            if (reserved.Contains(word))
                throw new PhoenixDataException(path, $"word {i} '{word}' is a special token and cannot be a vocabulary word");
        }
        try
        {
            return new CorpusTokenizer(file.Words, file.LanguageCodes, file.Lowercase, Math.Max(1, file.MinFrequency),
                defaultLanguage ?? file.DefaultLanguage ?? SpecialTokens.DefaultLanguage);
        }
        catch (ArgumentException e)
        {
            throw new PhoenixDataException(path, e.Message, e);
        }
    }

    private sealed record CorpusTokenizerFile(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("lowercase")] bool Lowercase,
        [property: JsonPropertyName("min_frequency")] int MinFrequency,
        [property: JsonPropertyName("default_language")] string? DefaultLanguage,
        [property: JsonPropertyName("language_codes")] string[]? LanguageCodes,
        [property: JsonPropertyName("words")] string[]? Words);
}
