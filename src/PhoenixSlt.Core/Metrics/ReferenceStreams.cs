namespace PhoenixSlt.Core.Metrics;

/// <summary>
/// Checks hypotheses against sacrebleu-style reference streams (<c>refs[k][i]</c> is reference k of segment i,
/// <c>null</c> = no reference there) and regroups them per segment with the <c>null</c> entries dropped.
/// </summary>
public static class ReferenceStreams
{
    /// <summary>The non-null references of every segment, in stream order.</summary>
    /// <exception cref="ArgumentException">No stream, a stream whose length differs from the hypotheses, a null
    /// hypothesis, or a segment without any reference.</exception>
    public static IReadOnlyList<string>[] BySegment(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(referenceStreams);
        if (referenceStreams.Count == 0)
            throw new ArgumentException("At least one reference stream is needed.", nameof(referenceStreams));
        for (int k = 0; k < referenceStreams.Count; k++)
        {
            if (referenceStreams[k] is null)
                throw new ArgumentException($"Reference stream {k + 1} is null.", nameof(referenceStreams));
            if (referenceStreams[k].Count != hypotheses.Count)
                throw new ArgumentException(
                    $"Reference stream {k + 1} has {referenceStreams[k].Count} segments but there are " +
                    $"{hypotheses.Count} hypotheses; every stream needs one line per hypothesis.",
                    nameof(referenceStreams));
        }

        var segments = new IReadOnlyList<string>[hypotheses.Count];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            if (hypotheses[i] is null)
                throw new ArgumentException($"Hypothesis {i + 1} is null; use \"\" for an empty output.", nameof(hypotheses));
            var refs = new List<string>(referenceStreams.Count);
            foreach (IReadOnlyList<string?> stream in referenceStreams)
                if (stream[i] is string reference) refs.Add(reference);
            if (refs.Count == 0)
                throw new ArgumentException(
                    $"Segment {i + 1} has no reference (null in every stream); give it at least one, \"\" included.",
                    nameof(referenceStreams));
            segments[i] = refs;
        }
        return segments;
    }

    /// <summary>The number of references per segment, or <c>null</c> when it varies (sacrebleu's <c>nrefs:var</c>).</summary>
    public static int? CountPerSegment(IReadOnlyList<IReadOnlyList<string>> segments)
    {
        var counts = segments.Select(s => s.Count).Distinct().ToList();
        return counts.Count == 1 ? counts[0] : null;
    }

    /// <summary>Wraps the references of one segment as single-segment streams (sacrebleu's sentence scoring).</summary>
    public static IReadOnlyList<IReadOnlyList<string?>> ForSentence(IReadOnlyList<string?> references) =>
        references.Select(r => (IReadOnlyList<string?>)[r]).ToList();
}
