namespace PhoenixSlt.Web.Services.Bootstrap;

/// Progress of writing a dataset: <see cref="Done"/> of <see cref="Total"/> samples, in a stage such as a split name.
public sealed record GenerationProgress(string Stage, int Done, int Total);

/// Sizes of the dataset to write on first start.
public sealed record SyntheticDatasetSize(int Train, int Dev, int Test, int Seed)
{
    public int Total => Train + Dev + Test;
}

/// Writes a complete dataset (annotations, keypoints, SigLIP features) into an empty folder.
public interface ISyntheticDatasetWriter
{
    void Write(string outputDir, SyntheticDatasetSize size, IProgress<GenerationProgress> progress, CancellationToken cancellationToken);
}
