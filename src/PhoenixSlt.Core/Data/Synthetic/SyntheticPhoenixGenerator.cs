using System.Text.RegularExpressions;

namespace PhoenixSlt.Core.Data.Synthetic;

/// Writes a synthetic PHOENIX-2014-T dataset in the official layout (<see cref="DatasetLayout"/>):
/// <code>
/// OUT/annotations/PHOENIX-2014-T.{train,dev,test}.corpus.csv   name|video|start|end|speaker|orth|translation
/// OUT/kpts/SPLIT/NAME.npy            float32 (T, 75, 3)  MediaPipe-holistic-like keypoints, 25 fps
/// OUT/siglip_vitb16/SPLIT/NAME.npy   float16 (T', 768)   SigLIP-like frame features, T' = ceil(T / 2)
/// </code>
/// Sentences come from <see cref="WeatherGrammar"/>, features from <see cref="SyntheticSampleRenderer"/>.
/// Every sample draws from its own random streams keyed by (seed, split, index), so samples can be
/// rendered in parallel and the files are byte-identical for the same seed. The annotation files are
/// written last: a cancelled run leaves no annotations behind (and is not mistaken for a dataset).
/// See docs/SYNTHETIC.md.
public static partial class SyntheticPhoenixGenerator
{
    /// Prefix of generated sample names: synth_train_00001.
    public const string NamePrefix = "synth_";

    private sealed record PlannedSample(string Name, IReadOnlyList<string> Glosses, int Signer, PhoenixSample? Row);

    private sealed record SplitResult(string Split, PhoenixSample[] Rows, int[] Frames, int[] SiglipFrames, int[] MissingLeft, int[] MissingRight, int[] Signers, long Bytes);

    /// Generates the dataset described by <paramref name="options"/>. Throws
    /// <see cref="PhoenixDataException"/> when the output already holds a dataset (and Overwrite is off)
    /// or when the source corpus of <see cref="SynthOptions.FromAnnotations"/> is unusable, and
    /// <see cref="OperationCanceledException"/> when cancelled.
    public static SynthSummary Generate(SynthOptions options, IProgress<SynthProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutDir);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Train);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Dev);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxParallelism);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var layout = new DatasetLayout(Path.GetFullPath(options.OutDir));

        var plans = options.FromAnnotations is null ? PlanSynthetic(options) : PlanFromAnnotations(options.FromAnnotations);
        string? sourceDir = options.FromAnnotations is null ? null : Path.GetFullPath(options.FromAnnotations);
        bool inPlace = sourceDir is not null && SamePath(sourceDir, layout.AnnotationsDir);
        if (!options.Overwrite) RefuseExisting(layout, plans, inPlace);
        if (options.FromAnnotations is null) DeleteStaleSyntheticFiles(layout);

        int total = plans.Sum(p => p.Samples.Count), done = 0;
        var gate = new object();
        var results = new List<SplitResult>();
        foreach (var (split, samples) in plans)
        {
            int splitDone = 0;
            void Report()
            {
                lock (gate)
                {
                    splitDone++;
                    done++;
                    int step = Math.Max(1, total / 200);
                    if (splitDone == samples.Count || done % step == 0)
                        progress?.Report(new SynthProgress(split, splitDone, samples.Count, done, total));
                }
            }
            results.Add(RenderSplit(layout, options, split, samples, Report, ct));
        }

        ct.ThrowIfCancellationRequested();
        long bytes = results.Sum(r => r.Bytes);
        foreach (var r in results)
        {
            string target = layout.CorpusFile(r.Split);
            if (inPlace) continue;
            if (sourceDir is not null)
            {
                string source = PhoenixCorpus.FindFile(sourceDir, r.Split)!;
                Directory.CreateDirectory(layout.AnnotationsDir);
                target = Path.Combine(layout.AnnotationsDir, Path.GetFileName(source));
                File.Copy(source, target, overwrite: true);
            }
            else
            {
                string temp = target + ".tmp";
                PhoenixCorpus.WriteOfficial(temp, r.Rows);
                File.Move(temp, target, overwrite: true);
            }
            bytes += new FileInfo(target).Length;
        }
        return new SynthSummary(layout.Root, options.Seed, sourceDir is not null, results.Select(Summarize).ToArray(), bytes, started.Elapsed);
    }

    // ---- planning -----------------------------------------------------------------------------------

    private static List<(string Split, IReadOnlyList<PlannedSample> Samples)> PlanSynthetic(SynthOptions o)
    {
        var plans = new List<(string, IReadOnlyList<PlannedSample>)>();
        // Signers follow one golden-ratio sequence across the splits (offset by the seed), so even small
        // datasets show all nine signers in roughly their shares.
        double offset = (StableHash.Of("signers", o.Seed) >> 11) * (1.0 / (1UL << 53));
        long position = 0;
        for (int s = 0; s < DatasetLayout.Splits.Count; s++)
        {
            string split = DatasetLayout.Splits[s];
            int n = o.CountOf(split);
            if (n == 0) continue;
            var samples = new PlannedSample[n];
            for (int i = 0; i < n; i++)
            {
                string name = $"{NamePrefix}{split}_{i + 1:00000}";
                var sentence = WeatherGrammar.Generate(SynthRandom.For("sentence", o.Seed, s, i));
                int signer = SignerProfile.AtSequencePosition(offset, position++);
                var row = new PhoenixSample(name, sentence.Translation, sentence.Orth, SignerProfile.NameOf(signer), $"{name}/1/*.png");
                samples[i] = new PlannedSample(name, sentence.Glosses, signer, row);
            }
            plans.Add((split, samples));
        }
        return plans;
    }

    private static List<(string Split, IReadOnlyList<PlannedSample> Samples)> PlanFromAnnotations(string annotationsDir)
    {
        if (!Directory.Exists(annotationsDir))
            throw new PhoenixDataException(annotationsDir, "the annotations folder does not exist; pass the folder that holds PHOENIX-2014-T.{train,dev,test}.corpus.csv");
        var plans = new List<(string, IReadOnlyList<PlannedSample>)>();
        foreach (string split in DatasetLayout.Splits)
        {
            string? file = PhoenixCorpus.FindFile(annotationsDir, split);
            if (file is null) continue;
            var rows = PhoenixCorpus.LoadFile(file);
            var samples = new PlannedSample[rows.Count];
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (!IsSafeFileName(row.Name))
                    throw new PhoenixDataException(file, $"sample name '{row.Name}' cannot be used as a file name (it must not contain path separators or be '.' or '..'); rename the sample");
                samples[i] = new PlannedSample(row.Name, GlossesOf(row), SignerProfile.FromSpeaker(row.Speaker), row);
            }
            plans.Add((split, samples));
        }
        if (plans.Count == 0)
            throw new PhoenixDataException(annotationsDir, "holds no annotation file: expected PHOENIX-2014-T.train.corpus.csv, " +
                "PHOENIX-2014-T.dev.corpus.csv or PHOENIX-2014-T.test.corpus.csv (or train.csv, dev.csv, test.csv)");
        return plans;
    }

    /// The glosses that drive the motion: the `orth` column, or — for corpora without glosses — the
    /// translation's words in upper case (punctuation dropped).
    public static IReadOnlyList<string> GlossesOf(PhoenixSample row)
    {
        var glosses = row.Orth.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (glosses.Length > 0) return glosses;
        return WordRegex().Matches(row.Translation).Select(m => m.Value.ToUpperInvariant()).ToArray();
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordRegex();

    private static bool IsSafeFileName(string name)
        => name.Length > 0 && name is not "." and not ".." && name.IndexOfAny(['/', '\\']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    // ---- existing data ------------------------------------------------------------------------------

    private static void RefuseExisting(DatasetLayout layout, List<(string Split, IReadOnlyList<PlannedSample> Samples)> plans, bool inPlace)
    {
        if (!inPlace)
        {
            foreach (string split in DatasetLayout.Splits)
            {
                string? existing = PhoenixCorpus.FindFile(layout.AnnotationsDir, split);
                if (existing is not null)
                    throw new SynthOutputExistsException(existing, "the output folder already holds a dataset; choose an empty folder or allow overwriting it");
            }
            return;
        }
        foreach (var (split, samples) in plans)
            foreach (var s in samples)
                foreach (string path in new[] { KeypointPath(layout, split, s.Name), SiglipPath(layout, split, s.Name) })
                    if (File.Exists(path))
                        throw new SynthOutputExistsException(path, "feature file already exists; simulating would replace it — allow overwriting or choose another output folder");
    }

    /// Removes synth_* feature files of an earlier, larger synthetic run so that only listed samples remain.
    private static void DeleteStaleSyntheticFiles(DatasetLayout layout)
    {
        foreach (string root in new[] { layout.KeypointsDir, layout.SiglipDir })
            foreach (string split in DatasetLayout.Splits)
            {
                string dir = Path.Combine(root, split);
                if (!Directory.Exists(dir)) continue;
                foreach (string file in Directory.EnumerateFiles(dir, $"{NamePrefix}{split}_*.npy"))
                    File.Delete(file);
            }
    }

    // ---- rendering ----------------------------------------------------------------------------------

    internal static string KeypointPath(DatasetLayout layout, string split, string name) => Path.Combine(layout.KeypointsDir, split, name + ".npy");

    internal static string SiglipPath(DatasetLayout layout, string split, string name) => Path.Combine(layout.SiglipDir, split, name + ".npy");

    private static SplitResult RenderSplit(DatasetLayout layout, SynthOptions options, string split, IReadOnlyList<PlannedSample> samples, Action report, CancellationToken ct)
    {
        int n = samples.Count;
        int splitIndex = DatasetLayout.Splits.ToList().IndexOf(split);
        var rows = new PhoenixSample[n];
        var frames = new int[n];
        var siglipFrames = new int[n];
        var missingLeft = new int[n];
        var missingRight = new int[n];
        var signers = new int[n];
        var bytes = new long[n];
        Directory.CreateDirectory(Path.Combine(layout.KeypointsDir, split));
        Directory.CreateDirectory(Path.Combine(layout.SiglipDir, split));
        var siglipFormat = new NpyFormat(ElementType: options.SiglipFloat16 ? NpyElementType.Float16 : NpyElementType.Float32);
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = options.MaxParallelism };

        Parallel.For(0, n, parallel, i =>
        {
            var plan = samples[i];
            var rendered = SyntheticSampleRenderer.Render(plan.Glosses, plan.Signer, SynthRandom.For("motion", options.Seed, splitIndex, i));
            string kp = KeypointPath(layout, split, plan.Name), sg = SiglipPath(layout, split, plan.Name);
            NpyFile.WriteFloat32(kp, rendered.Keypoints, rendered.Frames, SyntheticSampleRenderer.Joints, 3);
            NpyFile.Write(sg, new NpyArray(rendered.Siglip, [rendered.SiglipFrames, SyntheticSampleRenderer.SiglipDim]), siglipFormat);
            rows[i] = plan.Row ?? new PhoenixSample(plan.Name, "", string.Join(' ', plan.Glosses), SignerProfile.NameOf(plan.Signer));
            frames[i] = rendered.Frames;
            siglipFrames[i] = rendered.SiglipFrames;
            signers[i] = plan.Signer;
            for (int t = 0; t < rendered.Frames; t++)
            {
                if (rendered.IsHandMissing(t, 0)) missingLeft[i]++;
                if (rendered.IsHandMissing(t, 1)) missingRight[i]++;
            }
            bytes[i] = new FileInfo(kp).Length + new FileInfo(sg).Length;
            report();
        });
        return new SplitResult(split, rows, frames, siglipFrames, missingLeft, missingRight, signers, bytes.Sum());
    }

    private static SynthSplitSummary Summarize(SplitResult r)
    {
        int glossVocab = r.Rows.SelectMany(x => x.Orth.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).Count();
        int wordVocab = r.Rows.SelectMany(x => x.Translation.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).Count();
        return new SynthSplitSummary(
            r.Split, r.Rows.Length, r.Frames.Sum(x => (long)x),
            r.Frames.Length == 0 ? 0 : r.Frames.Min(), r.Frames.Length == 0 ? 0 : r.Frames.Max(),
            r.SiglipFrames.Sum(x => (long)x), glossVocab, wordVocab, r.Signers.Distinct().Count(),
            r.MissingLeft.Sum(x => (long)x), r.MissingRight.Sum(x => (long)x));
    }

    private static bool SamePath(string a, string b)
        => string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}

/// The output folder already holds data that generating would replace (and overwriting was not allowed).
public sealed class SynthOutputExistsException(string filePath, string problem) : PhoenixDataException(filePath, problem);
