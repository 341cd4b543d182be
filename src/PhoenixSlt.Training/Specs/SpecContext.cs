namespace PhoenixSlt.Training.Specs;

/// What a <see cref="RunSpec"/> is checked against besides its own values: the file system, the datasets the
/// portal offers and the CUDA devices. The command line uses <see cref="CommandLine"/>; the portal sets
/// <see cref="Datasets"/> (data is then a dataset name), <see cref="OutAssigned"/> and absolute paths.
public sealed record SpecContext
{
    /// True when the path is an existing folder.
    public Func<string, bool> FolderExists { get; init; } = Directory.Exists;

    /// True when the path is an existing file (an --out that is a file is refused).
    public Func<string, bool> FileExists { get; init; } = File.Exists;

    /// The portal: data must be one of these dataset names; null: data is a folder path.
    public IReadOnlyCollection<string>? Datasets { get; init; }

    /// The portal chooses the output folder, so out is not asked for.
    public bool OutAssigned { get; init; }

    /// Init and mBART folders must be absolute paths (the portal has no working directory to resolve them against).
    public bool AbsolutePathsOnly { get; init; }

    /// CUDA devices of this machine; null when unknown (device names are then only checked for their spelling).
    public int? CudaDeviceCount { get; init; }

    /// `phoenix-slt train`: folders relative to the working directory, out required.
    public static SpecContext CommandLine { get; } = new();

    /// Only the spec's own values (every folder exists, every dataset name is known, out is not needed).
    public static SpecContext ValuesOnly { get; } = new() { FolderExists = _ => true, FileExists = _ => false, OutAssigned = true, AnyDataset = true };

    /// Accept any dataset name or data folder (used by <see cref="ValuesOnly"/>).
    public bool AnyDataset { get; init; }
}
