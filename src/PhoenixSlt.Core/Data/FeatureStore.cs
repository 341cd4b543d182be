namespace PhoenixSlt.Core.Data;

/// Finds and validates the per-sample feature files of a dataset:
/// ROOT/kpts/NAME.npy or ROOT/kpts/SPLIT/NAME.npy (keypoints) and the same under ROOT/siglip_vitb16/.
/// The flat location is tried first. Loaded arrays have shape (T, 225) for keypoints and (T', 768) for SigLIP.
public sealed class FeatureStore(DatasetLayout layout)
{
    public DatasetLayout Layout { get; } = layout ?? throw new ArgumentNullException(nameof(layout));

    public string FolderOf(FeatureKind kind) => kind == FeatureKind.Keypoints ? Layout.KeypointsDir : Layout.SiglipDir;

    public static string Describe(FeatureKind kind) => kind == FeatureKind.Keypoints ? "keypoints" : "SigLIP features";

    /// Where the file of a sample may be, in lookup order: FOLDER/NAME.npy, FOLDER/SPLIT/NAME.npy.
    public IReadOnlyList<string> CandidatePaths(FeatureKind kind, string split, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        if (PhoenixCorpus.NameProblem(name) is string problem)
            throw new PhoenixDataException(null, $"sample {problem}");
        string folder = FolderOf(kind);
        return [Path.Combine(folder, name + ".npy"), Path.Combine(folder, split, name + ".npy")];
    }

    /// The existing file of a sample, or null.
    public string? FindFile(FeatureKind kind, string split, string name)
        => CandidatePaths(kind, split, name).FirstOrDefault(File.Exists);

    /// The problem reported when a sample's file is missing (names every path tried).
    public DataProblem MissingFileProblem(FeatureKind kind, string split, string name)
    {
        IReadOnlyList<string> paths = CandidatePaths(kind, split, name);
        return new DataProblem(paths[0], $"no {Describe(kind)} file for sample '{name}': expected {string.Join(" or ", paths)}");
    }

    /// Keypoints of a sample as (T, 225) float32 (NaN where joints are missing).
    public NpyArray LoadKeypoints(string split, string name) => Load(FeatureKind.Keypoints, split, name);

    /// SigLIP features of a sample as (T', 768) float32.
    public NpyArray LoadSiglip(string split, string name) => Load(FeatureKind.Siglip, split, name);

    public NpyArray Load(FeatureKind kind, string split, string name)
    {
        string path = FindFile(kind, split, name) ?? throw MissingFileProblem(kind, split, name).ToException();
        return LoadFile(kind, path);
    }

    /// Reads and validates one feature file.
    public static NpyArray LoadFile(FeatureKind kind, string path)
    {
        NpyArray array = NpyFile.Read(path);
        return kind == FeatureKind.Keypoints ? ValidateKeypoints(array, path) : ValidateSiglip(array, path);
    }

    /// Reads and validates only the header of one feature file: the data size the header declares must match the
    /// file length and the shape must pass <see cref="ShapeProblem"/>. Values (NaN/Inf) are not read, so not checked.
    public static NpyHeader LoadHeader(FeatureKind kind, string path)
    {
        NpyHeader header = NpyFile.ReadHeaderCheckingSize(path);
        return ShapeProblem(kind, header.Shape) is string problem ? throw new PhoenixDataException(path, problem) : header;
    }

    /// The problem with the shape of a feature array, or null: keypoints (T, 75, 3) or (T, 225), SigLIP (T, 768),
    /// and T ≥ 1 for both.
    public static string? ShapeProblem(FeatureKind kind, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (kind == FeatureKind.Keypoints && !IsJointsShape(shape) && !IsFlatKeypointShape(shape))
            return $"keypoints must have shape (T, {FeatureSpec.Joints}, {FeatureSpec.CoordsPerJoint}) or (T, {FeatureSpec.KeypointDim}) " +
                   $"(MediaPipe Holistic: {FeatureSpec.PoseJoints} pose + {FeatureSpec.HandJoints} left hand + {FeatureSpec.HandJoints} right hand joints, x/y/z); found {NpyArray.FormatShape(shape)}";
        if (kind == FeatureKind.Siglip && (shape.Count != 2 || shape[1] != FeatureSpec.SiglipDim))
            return $"SigLIP features must have shape (T, {FeatureSpec.SiglipDim}); found {NpyArray.FormatShape(shape)}";
        return shape[0] == 0 ? $"{Describe(kind)} have 0 frames; every sample needs at least one frame" : null;
    }

    private static bool IsJointsShape(IReadOnlyList<int> shape)
        => shape.Count == 3 && shape[1] == FeatureSpec.Joints && shape[2] == FeatureSpec.CoordsPerJoint;

    private static bool IsFlatKeypointShape(IReadOnlyList<int> shape)
        => shape.Count == 2 && shape[1] == FeatureSpec.KeypointDim;

    /// Accepts (T, 75, 3) or (T, 225) with T ≥ 1 and returns (T, 225). NaN marks missing joints and is allowed;
    /// infinite values are not.
    public static NpyArray ValidateKeypoints(NpyArray array, string file)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (ShapeProblem(FeatureKind.Keypoints, array.Shape) is string problem)
            throw new PhoenixDataException(file, problem);
        int bad = Array.FindIndex(array.Data, float.IsInfinity);
        if (bad >= 0)
            throw new PhoenixDataException(file, $"keypoints contain an infinite value (frame {bad / FeatureSpec.KeypointDim}, value {bad % FeatureSpec.KeypointDim}); mark missing joints with 0 or NaN");
        return IsJointsShape(array.Shape) ? array.Reshape(array.Shape[0], FeatureSpec.KeypointDim) : array;
    }

    /// Accepts (T', 768) with T' ≥ 1 and only finite values.
    public static NpyArray ValidateSiglip(NpyArray array, string file)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (ShapeProblem(FeatureKind.Siglip, array.Shape) is string problem)
            throw new PhoenixDataException(file, problem);
        int nonFinite = 0, first = -1;
        for (int i = 0; i < array.Data.Length; i++)
        {
            if (float.IsFinite(array.Data[i]))
                continue;
            nonFinite++;
            if (first < 0) first = i;
        }
        if (nonFinite > 0)
            throw new PhoenixDataException(file,
                $"SigLIP features contain {nonFinite} NaN/Inf value(s), first at frame {first / FeatureSpec.SiglipDim}, dimension {first % FeatureSpec.SiglipDim}; re-extract the features of this video");
        return array;
    }
}
