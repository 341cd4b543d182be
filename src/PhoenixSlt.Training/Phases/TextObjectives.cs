namespace PhoenixSlt.Training.Phases;

/// What the text phase teaches the mBART (the spec's text_task).
public static class TextObjectives
{
    /// mBART's own pre-training: reconstruct sentences with masked word spans.
    public const string Denoise = "denoise";

    /// Translate the corpus' gloss annotations (the orth column) into its sentences: a gloss → text translator whose
    /// decoder the slt phase then drives with the visual encoder (Chen et al., CVPR 2022, "a simple multi-modality
    /// transfer learning baseline": Gloss2Text pre-training of the translation network).
    public const string GlossToText = "gloss2text";

    public static IReadOnlyList<string> Names { get; } = [Denoise, GlossToText];

    /// The objective of a text run: the requested one, else gloss2text when the training clips carry glosses.
    public static string Resolve(string? requested, bool corpusHasGlosses)
        => requested ?? (corpusHasGlosses ? GlossToText : Denoise);
}

/// One sentence of the text phase: the target text and, for gloss2text, its glosses (null = denoise the target).
public sealed record TextExample(string Target, string? Source = null);
