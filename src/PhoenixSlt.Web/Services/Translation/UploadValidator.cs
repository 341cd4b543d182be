using System.IO.Compression;
using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Web.Services.Translation;

/// One uploaded file: the name the client gave (used only in messages and as the clip name, never as a path) and
/// where its bytes are: in memory, or in a temporary file the upload was streamed to (see <see cref="UploadStaging"/>).
public sealed class UploadedFile
{
    private readonly byte[]? _content;
    private readonly string? _path;

    /// A file held in memory.
    public UploadedFile(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        FileName = fileName ?? "";
        _content = content;
        Length = content.Length;
    }

    private UploadedFile(string fileName, string path, long length)
    {
        FileName = fileName ?? "";
        _path = path;
        Length = length;
    }

    /// A file stored at <paramref name="path"/> (a temporary file of the portal; its owner deletes it).
    public static UploadedFile FromFile(string fileName, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new UploadedFile(fileName, path, new FileInfo(path).Length);
    }

    public string FileName { get; }

    /// Size in bytes.
    public long Length { get; }

    /// A read-only, seekable stream of the content.
    public Stream OpenRead() => _content is not null
        ? new MemoryStream(_content, writable: false)
        : new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
}

/// The clips of a valid upload, or every problem found (each names the upload it is about).
public sealed record UploadValidation(IReadOnlyList<FeatureSample> Clips, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;

    public static UploadValidation Invalid(params string[] problems) => new([], problems);
}

/// Checks translation uploads before anything reaches the model: a keypoints .npy ((T, 75, 3) or (T, 225)) with a
/// SigLIP .npy ((T', 768)), or a zip of pairs <c>&lt;name&gt;.kpts.npy</c> / <c>&lt;name&gt;.siglip.npy</c>. Reads the
/// arrays with Core's .npy reader and feature validation, applies the upload limits (bytes, files, frames) and
/// normalises the keypoints as training does. Streams: reads each array once, never more than its header declares,
/// so memory holds the decoded clips only (the files stay where they are: in memory or in a temporary file).
public static class UploadValidator
{
    public const string KeypointsSuffix = ".kpts.npy";
    public const string SiglipSuffix = ".siglip.npy";
    private const int MaxShownNameLength = 120;

    /// Validates one keypoints file and one SigLIP file as one clip, named after the keypoints file.
    public static UploadValidation ValidatePair(UploadedFile keypoints, UploadedFile siglip, TranslationOptions options)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        ArgumentNullException.ThrowIfNull(siglip);
        ArgumentNullException.ThrowIfNull(options);
        long total = keypoints.Length + siglip.Length;
        if (total > options.MaxUploadBytes)
            return UploadValidation.Invalid($"{Shown(keypoints.FileName)} and {Shown(siglip.FileName)}: the upload has {total} bytes, more than the {options.MaxUploadBytes} accepted; send fewer or shorter clips");
        var problems = new List<string>();
        var clip = ReadClip(ClipName(keypoints.FileName), keypoints, siglip, options, problems);
        return clip is null ? new UploadValidation([], problems) : new UploadValidation([clip], []);
    }

    /// Validates a zip of pairs <c>&lt;name&gt;.kpts.npy</c> / <c>&lt;name&gt;.siglip.npy</c>; clips in name order.
    public static UploadValidation ValidateZip(UploadedFile zip, TranslationOptions options)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(options);
        string zipName = Shown(zip.FileName);
        if (zip.Length == 0)
            return UploadValidation.Invalid($"{zipName}: the file is empty; upload a zip of <name>{KeypointsSuffix} and <name>{SiglipSuffix} pairs");
        if (zip.Length > options.MaxUploadBytes)
            return UploadValidation.Invalid($"{zipName}: the upload has {zip.Length} bytes, more than the {options.MaxUploadBytes} accepted; split it into smaller zips");
        using var stream = zip.OpenRead();
        using var archive = OpenArchive(stream);
        return archive is null
            ? UploadValidation.Invalid($"{zipName}: not a valid zip archive; upload a .zip of <name>{KeypointsSuffix} and <name>{SiglipSuffix} pairs")
            : ValidateArchive(archive, zipName, options);
    }

    /// The bytes the files of a zip declare uncompressed (folders and every other entry included), or null when it is
    /// not a zip. Reads only the archive's directory: what a request must budget for before its clips are decoded.
    public static long? UncompressedBytes(UploadedFile zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        using var stream = zip.OpenRead();
        using var archive = OpenArchive(stream);
        return archive?.Entries.Sum(e => e.Length);
    }

    private static ZipArchive? OpenArchive(Stream stream)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static UploadValidation ValidateArchive(ZipArchive archive, string zipName, TranslationOptions options)
    {
        var files = archive.Entries.Where(e => !IsFolderEntry(e.FullName)).ToList();
        if (files.Count > options.MaxFilesPerUpload)
            return UploadValidation.Invalid($"{zipName}: the zip holds {files.Count} files, more than the {options.MaxFilesPerUpload} accepted; split it into smaller zips");
        var problems = new List<string>();
        var keypoints = new SortedDictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var siglip = new SortedDictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        long declared = 0;
        foreach (var entry in files)
        {
            string shown = $"{zipName}/{Shown(entry.FullName)}";
            if (EntryNameProblem(entry.FullName) is string nameProblem)
            {
                problems.Add($"{shown}: {nameProblem}");
                continue;
            }
            declared += entry.Length;
            string fileName = LastSegment(entry.FullName);
            SortedDictionary<string, ZipArchiveEntry>? target = null;
            string name = "";
            if (fileName.EndsWith(KeypointsSuffix, StringComparison.OrdinalIgnoreCase))
                (target, name) = (keypoints, fileName[..^KeypointsSuffix.Length]);
            else if (fileName.EndsWith(SiglipSuffix, StringComparison.OrdinalIgnoreCase))
                (target, name) = (siglip, fileName[..^SiglipSuffix.Length]);
            if (target is null)
                problems.Add($"{shown}: not a {KeypointsSuffix} or {SiglipSuffix} file; name each clip's files <name>{KeypointsSuffix} and <name>{SiglipSuffix}");
            else if (name.Length == 0)
                problems.Add($"{shown}: the clip name before '{fileName}' is empty; name the files <name>{KeypointsSuffix} and <name>{SiglipSuffix}");
            else if (!target.TryAdd(name, entry))
                problems.Add($"{shown}: the zip holds '{fileName}' twice (in different folders); clip names must be unique");
        }
        if (declared > options.MaxUploadBytes)
            return UploadValidation.Invalid($"{zipName}: the zip's files take {declared} bytes uncompressed, more than the {options.MaxUploadBytes} accepted; split it into smaller zips");
        foreach (string name in keypoints.Keys.Where(k => !siglip.ContainsKey(k)))
            problems.Add($"{zipName}/{Shown(keypoints[name].FullName)}: no matching {name}{SiglipSuffix} in the zip; every clip needs both files");
        foreach (string name in siglip.Keys.Where(k => !keypoints.ContainsKey(k)))
            problems.Add($"{zipName}/{Shown(siglip[name].FullName)}: no matching {name}{KeypointsSuffix} in the zip; every clip needs both files");
        if (problems.Count == 0 && keypoints.Count == 0)
            problems.Add($"{zipName}: the zip holds no <name>{KeypointsSuffix} / <name>{SiglipSuffix} pairs");
        if (problems.Count > 0)
            return new UploadValidation([], problems);

        var clips = new List<FeatureSample>(keypoints.Count);
        foreach (var (name, keypointEntry) in keypoints)
        {
            var entry = siglip[name];
            var kpts = ReadEntry(FeatureKind.Keypoints, keypointEntry, zipName, options, problems);
            var sig = ReadEntry(FeatureKind.Siglip, entry, zipName, options, problems);
            if (kpts is not null && sig is not null && ToClip(name, kpts, $"{zipName}/{Shown(keypointEntry.FullName)}", sig, $"{zipName}/{Shown(entry.FullName)}", problems) is FeatureSample clip)
                clips.Add(clip);
        }
        return problems.Count > 0 ? new UploadValidation([], problems) : new UploadValidation(clips, []);
    }

    /// Reads one zip entry's array straight from its decompressing stream, never more than its header declares
    /// (so a zip bomb is cut off at the declared size, which the upload limits bound).
    private static NpyArray? ReadEntry(FeatureKind kind, ZipArchiveEntry entry, string zipName, TranslationOptions options, List<string> problems)
    {
        string shown = $"{zipName}/{Shown(entry.FullName)}";
        try
        {
            using var stream = entry.Open();
            return ReadFeature(kind, stream, entry.Length, shown, options, problems);
        }
        catch (InvalidDataException)
        {
            problems.Add($"{shown}: cannot be uncompressed (damaged zip entry or unsupported compression); re-create the zip");
            return null;
        }
    }

    /// Validates both arrays of a clip; adds the problems of each file and returns null when either is bad.
    private static FeatureSample? ReadClip(string name, UploadedFile keypoints, UploadedFile siglip, TranslationOptions options, List<string> problems)
    {
        var kpts = ReadFeature(FeatureKind.Keypoints, keypoints, options, problems);
        var sig = ReadFeature(FeatureKind.Siglip, siglip, options, problems);
        if (kpts is null || sig is null)
            return null;
        return ToClip(name, kpts, Shown(keypoints.FileName), sig, Shown(siglip.FileName), problems);
    }

    /// The clip of two valid arrays, or null (with the problem) when either carries nothing to translate.
    private static FeatureSample? ToClip(string name, NpyArray keypoints, string keypointsShown, NpyArray siglip, string siglipShown, List<string> problems)
    {
        var normalized = KeypointNormalizer.Normalize(keypoints);
        int before = problems.Count;
        if (NoKeypointsProblem(normalized) is string keypointProblem)
            problems.Add($"{keypointsShown}: {keypointProblem}");
        if (NoSiglipProblem(siglip) is string siglipProblem)
            problems.Add($"{siglipShown}: {siglipProblem}");
        return problems.Count > before ? null : new FeatureSample(name, "", normalized.ToArray(), siglip);
    }

    /// Why normalised keypoints carry nothing to translate, or null: no joint is present in any frame (every value
    /// NaN, or every joint (0, 0, 0) — the normaliser's definition of a missing joint), or the present joints all
    /// lie on one point. Such keypoints become zeros, and the model would translate the SigLIP stream alone.
    public static string? NoKeypointsProblem(NormalizedKeypoints keypoints)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        if (keypoints.Reference != NormalizationReference.None)
            return null;
        return Array.IndexOf(keypoints.JointValid, true) < 0
            ? $"keypoints have no finite joint in any of the {keypoints.Frames} frame(s): every joint is missing (NaN, or (0, 0, 0)); check the keypoint extraction of this video"
            : $"keypoints have every present joint on one point in all {keypoints.Frames} frame(s), so they carry no pose; check the keypoint extraction of this video";
    }

    /// Why SigLIP features carry nothing to translate, or null: every row is zero (non-finite values are refused
    /// before, by <see cref="FeatureStore.ValidateSiglip"/>).
    public static string? NoSiglipProblem(NpyArray siglip)
    {
        ArgumentNullException.ThrowIfNull(siglip);
        return siglip.Data.AsSpan().ContainsAnyExcept(0f)
            ? null
            : $"SigLIP features are zero in all {siglip.Shape[0]} frame(s): no frame holds an embedding; re-extract the features of this video";
    }

    /// Reads and validates one feature array: header, shape and frame count first (so a hostile header is
    /// rejected before any data is read), then the values (Core's checks: size, dtype, NaN/Inf).
    public static NpyArray? ReadFeature(FeatureKind kind, UploadedFile file, TranslationOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problems);
        string shown = Shown(file.FileName);
        if (file.Length == 0)
        {
            problems.Add($"{shown}: the file is empty; upload the {FeatureStore.Describe(kind)} as a .npy file saved with np.save");
            return null;
        }
        using var stream = file.OpenRead();
        return ReadFeature(kind, stream, file.Length, shown, options, problems);
    }

    /// Reads one array of <paramref name="length"/> bytes from <paramref name="stream"/> (not necessarily seekable).
    private static NpyArray? ReadFeature(FeatureKind kind, Stream stream, long length, string shown, TranslationOptions options, List<string> problems)
    {
        string what = FeatureStore.Describe(kind);
        if (length == 0)
        {
            problems.Add($"{shown}: the file is empty; upload the {what} as a .npy file saved with np.save");
            return null;
        }
        try
        {
            NpyHeader header = NpyFile.ReadHeader(stream, shown);
            if (FeatureStore.ShapeProblem(kind, header.Shape) is string shapeProblem)
                throw new PhoenixDataException(shown, shapeProblem);
            if (header.Shape[0] > options.MaxFrames)
                throw new PhoenixDataException(shown, $"{what} have {header.Shape[0]} frames, more than the {options.MaxFrames} accepted; cut the clip into shorter parts");
            if (NpyFile.DataSizeProblem(header, length) is string sizeProblem)
                throw new PhoenixDataException(shown, sizeProblem);
            NpyArray array = NpyFile.ReadData(stream, header, shown);
            return kind == FeatureKind.Keypoints ? FeatureStore.ValidateKeypoints(array, shown) : FeatureStore.ValidateSiglip(array, shown);
        }
        catch (PhoenixDataException ex)
        {
            problems.Add(ex.Message);
            return null;
        }
    }

    /// The clip name of an uploaded keypoints file: its last name segment without .kpts.npy or .npy.
    public static string ClipName(string fileName)
    {
        string last = LastSegment(fileName ?? "");
        foreach (string suffix in new[] { KeypointsSuffix, ".npy" })
            if (last.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && last.Length > suffix.Length)
                return Shown(last[..^suffix.Length]);
        return last.Length == 0 ? "clip" : Shown(last);
    }

    /// Why a zip entry name is refused, or null: absolute names, drive letters, backslashes, '..' segments and
    /// control characters (names are never used as paths, but such names mean a crafted archive).
    public static string? EntryNameProblem(string entryName)
    {
        ArgumentNullException.ThrowIfNull(entryName);
        if (entryName.Length == 0)
            return "the entry has an empty name";
        if (entryName.Any(char.IsControl))
            return "the entry name contains control characters; rename the file";
        if (entryName.StartsWith('/') || entryName.Contains('\\') || (entryName.Length >= 2 && entryName[1] == ':'))
            return "absolute names, drive letters and backslashes are not allowed; zip the files with plain relative names";
        if (entryName.Split('/').Any(segment => segment == ".."))
            return "'..' in an entry name (path traversal) is not allowed; zip the files with plain relative names";
        return null;
    }

    /// A client-given name made safe to show: control characters replaced, long names shortened.
    public static string Shown(string name)
    {
        string clean = new((name ?? "").Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= MaxShownNameLength ? clean : clean[..MaxShownNameLength] + "…";
    }

    private static bool IsFolderEntry(string fullName) => fullName.EndsWith('/');

    private static string LastSegment(string name)
    {
        int cut = name.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? name : name[(cut + 1)..];
    }
}
